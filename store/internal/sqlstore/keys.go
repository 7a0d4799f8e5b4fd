package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
)

// CreateKey implements store.Store.
func (s *Store) CreateKey(ctx context.Context, k store.APIKey) error {
	if err := k.Scope.Validate(); err != nil {
		return fmt.Errorf("key %s: %w: %v", k.ID, store.ErrInvalid, err)
	}
	if k.ID == "" || len(k.Hash) == 0 {
		return fmt.Errorf("key: %w: id and hash are required", store.ErrInvalid)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	return s.q.InsertKey(ctx, s.db, k)
}

// scanKey reads id, hash, role, region, asl, pharmacy, label, created_at,
// revoked_at.
func scanKey(sc scanner) (store.APIKey, error) {
	var k store.APIKey
	var role string
	var region, asl, pharmacy sql.NullString
	var created, revoked timeCol
	err := sc.Scan(&k.ID, &k.Hash, &role, &region, &asl, &pharmacy, &k.Label, &created, &revoked)
	if err != nil {
		return k, err
	}
	k.Scope = auth.Scope{Role: auth.Role(role), Key: partsKey(region, asl, pharmacy)}
	k.CreatedAt, k.RevokedAt = created.T, revoked.T
	return k, nil
}

// LookupKey implements store.Store.
func (s *Store) LookupKey(ctx context.Context, hash []byte) (store.APIKey, error) {
	k, err := scanKey(s.q.LookupKey(ctx, s.db, hash))
	k, err = one(k, err, "API key")
	if err != nil {
		return store.APIKey{}, err
	}
	if k.Revoked() {
		return k, fmt.Errorf("API key %s: %w", k.ID, store.ErrRevoked)
	}
	return k, nil
}

// ListKeys implements store.Store.
func (s *Store) ListKeys(ctx context.Context) ([]store.APIKey, error) {
	rs, err := s.q.ListKeys(ctx, s.db)
	return collect(rs, err, scanKey)
}

// RevokeKey implements store.Store.
func (s *Store) RevokeKey(ctx context.Context, id string) (store.APIKey, error) {
	if err := s.q.RevokeKey(ctx, s.db, id, now()); err != nil {
		return store.APIKey{}, err
	}
	k, err := scanKey(s.q.GetKey(ctx, s.db, id))
	return one(k, err, "API key %q", id)
}
