package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// testKeys: keys are stored by hash with their scope, found by hash,
// listed oldest first, and a duplicate id or hash is a conflict.
func testKeys(t *testing.T, c context.Context, s Store) {
	nk, err := auth.Generate(nil)
	ok(t, err, "Generate")
	k := store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: pharmacyA, Label: "farmacia"}
	ok(t, s.CreateKey(c, k), "CreateKey")

	got, err := s.LookupKey(c, auth.Hash(nk.Secret))
	ok(t, err, "LookupKey")
	if got.ID != k.ID || got.Scope != pharmacyA || got.Label != "farmacia" || !bytes.Equal(got.Hash, nk.Hash) {
		t.Fatalf("LookupKey = %+v, want %+v", got, k)
	}
	if got.CreatedAt.IsZero() || got.Revoked() {
		t.Fatalf("LookupKey created %v revoked %v", got.CreatedAt, got.RevokedAt)
	}
	if bytes.Contains(got.Hash, []byte(nk.Secret)) {
		t.Fatal("stored hash contains the secret")
	}

	_, err = s.LookupKey(c, auth.Hash("rfk_not-a-key"))
	is(t, err, store.ErrNotFound, "LookupKey(unknown)")

	dupID := k
	dupID.Hash = auth.Hash("another secret")
	is(t, s.CreateKey(c, dupID), store.ErrConflict, "CreateKey(duplicate id)")
	dupHash := k
	dupHash.ID = "k_other"
	is(t, s.CreateKey(c, dupHash), store.ErrConflict, "CreateKey(duplicate hash)")
	bad := store.APIKey{ID: "k_bad", Hash: auth.Hash("x"), Scope: auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120"}}}
	is(t, s.CreateKey(c, bad), store.ErrInvalid, "CreateKey(station without ASL)")

	for _, sc := range []auth.Scope{admin, station205, validator} {
		mustKey(t, s, sc)
	}
	keys, err := s.ListKeys(c)
	ok(t, err, "ListKeys")
	if len(keys) != 4 || keys[0].ID != k.ID {
		t.Fatalf("ListKeys = %d keys (first %q), want 4 starting with %q", len(keys), keys[0].ID, k.ID)
	}
	roles := map[auth.Role]auth.Scope{}
	for _, kk := range keys {
		roles[kk.Scope.Role] = kk.Scope
	}
	if roles[auth.Station] != station205 || roles[auth.Validator] != validator || roles[auth.Admin] != admin {
		t.Fatalf("scopes did not round-trip: %+v", roles)
	}
}

func testKeyRevocation(t *testing.T, c context.Context, s Store) {
	k := mustKey(t, s, station205)
	other := mustKey(t, s, station205)
	r, err := s.RevokeKey(c, k.ID)
	ok(t, err, "RevokeKey")
	if !r.Revoked() || r.ID != k.ID {
		t.Fatalf("RevokeKey returned %+v", r)
	}
	got, err := s.LookupKey(c, k.Hash)
	is(t, err, store.ErrRevoked, "LookupKey(revoked)")
	if got.ID != k.ID {
		t.Fatalf("LookupKey(revoked) returned key %q, want %q", got.ID, k.ID)
	}
	if _, err := s.LookupKey(c, other.Hash); err != nil {
		t.Fatalf("revoking one key affected another: %v", err)
	}
	again, err := s.RevokeKey(c, k.ID)
	ok(t, err, "RevokeKey again")
	if !again.RevokedAt.Equal(r.RevokedAt) {
		t.Fatalf("second revocation moved the time from %v to %v", r.RevokedAt, again.RevokedAt)
	}
	_, err = s.RevokeKey(c, "k_000000000000")
	is(t, err, store.ErrNotFound, "RevokeKey(unknown)")
	keys, err := s.ListKeys(c)
	ok(t, err, "ListKeys")
	if len(keys) != 2 || !keys[0].Revoked() || keys[1].Revoked() {
		t.Fatalf("ListKeys after revocation: %+v", keys)
	}
}
