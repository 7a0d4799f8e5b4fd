// Package pgblob keeps uploaded originals in PostgreSQL, content-addressed
// by sha256: the blob.Store used whenever regfus runs on PostgreSQL, so
// that `regfus worker` on any machine reads the originals with nothing but
// the database URL (no shared folder).
//
// Tables (store/postgres migration 0003): blobs (sha256, size, chunks)
// and blob_chunks (sha256, n, data), the bytes in ChunkSize pieces so no
// single value or protocol message grows with the file.
//
// Put spools the upload into the local cache (a blob.Dir, hashing as it
// copies), then inserts the blob row and its pieces in one transaction;
// the commit (PostgreSQL's WAL fsync) is the durability point, and Put
// returns only after it, so an upload is acknowledged only once its bytes
// are in the database. A digest already in blobs is recognised before
// anything is sent; two processes putting the same new bytes at once
// serialise on the primary key, and the second finds the first's row.
//
// Reads (Open, File) go through the same local cache: a blob is fetched
// once per machine, written to the cache under its digest only after the
// bytes fetched hash to it, and read from the file from then on. The cache
// holds nothing the database does not: it may be deleted at any time, and
// SetCacheLimit bounds it (least recently used blobs go first, cache.go).
//
// Originals stored by an older regfus in a blob directory (DATA/blobs) are
// not lost when it moves to this store: given that directory as legacy, a
// read that misses the database copies the blob into it first.
package pgblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regfus/regfus/blob"
)

// ChunkSize is the size of the pieces a blob is stored in.
const ChunkSize = 1 << 20

// Store is a blob.Store in PostgreSQL with a local read cache.
type Store struct {
	pool   *pgxpool.Pool
	cache  *blob.Dir
	legacy *blob.Dir
	limit  cacheLimit
}

var _ blob.Store = (*Store)(nil)

// New returns a store over pool (the regfus database, migrated) that
// caches blobs in the directory cacheDir (created if needed). legacy, when
// not nil, is a blob directory of originals stored before they went to
// the database; blobs only there are moved into the database when read.
func New(pool *pgxpool.Pool, cacheDir string, legacy *blob.Dir) (*Store, error) {
	cache, err := blob.Open(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("blob cache: %w", err)
	}
	return &Store{pool: pool, cache: cache, legacy: legacy}, nil
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, r io.Reader) (blob.Ref, bool, error) {
	ref, cached, err := s.cache.Put(ctx, r)
	if err != nil {
		return blob.Ref{}, false, err
	}
	if name, err := s.cache.Path(ref.SHA256); err == nil {
		if cached {
			s.touch(name)
		} else {
			defer s.added(ref.Size, name)
		}
	}
	if at, ok, err := s.refresh(ctx, ref.SHA256); err != nil {
		return blob.Ref{}, false, err
	} else if ok {
		ref.PutAt = at
		return ref, true, nil
	}
	f, err := s.cache.Open(ctx, ref.SHA256)
	if err != nil {
		return blob.Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	defer f.Close()
	existed := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		chunks := (ref.Size + ChunkSize - 1) / ChunkSize
		err := tx.QueryRow(ctx, `INSERT INTO blobs (sha256, size, chunks) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING RETURNING put_at`,
			ref.SHA256, ref.Size, chunks).Scan(&ref.PutAt)
		if errors.Is(err, pgx.ErrNoRows) {
			existed = true // another process stored it meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		buf := make([]byte, ChunkSize)
		for n := int64(0); n < chunks; n++ {
			k, err := io.ReadFull(f, buf)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("reading the spooled upload: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (sha256, n, data) VALUES ($1, $2, $3)`, ref.SHA256, n, buf[:k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return blob.Ref{}, false, fmt.Errorf("storing original %s in PostgreSQL: %w", ref.SHA256, err)
	}
	if existed {
		at, ok, err := s.refresh(ctx, ref.SHA256)
		if err != nil {
			return blob.Ref{}, false, err
		}
		if !ok {
			return blob.Ref{}, false, fmt.Errorf("storing original %s in PostgreSQL: removed while it was being stored; send it again", ref.SHA256)
		}
		ref.PutAt = at
	}
	return ref, existed, nil
}

// refresh sets a stored blob's put time to now and returns it; ok is false
// when the blob is not stored. A Remove deleting the row at the same time
// either goes first (refresh finds nothing and Put stores the bytes anew)
// or waits for this update and then leaves the blob: PostgreSQL re-checks
// the put time of a row updated under a concurrent DELETE.
func (s *Store) refresh(ctx context.Context, sha string) (time.Time, bool, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `UPDATE blobs SET put_at = now() WHERE sha256 = $1 RETURNING put_at`, sha).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("looking up original %s: %w", sha, err)
	}
	return at, true, nil
}

// Remove implements blob.Store: the row (and its pieces, by cascade) goes
// in one statement that checks the put time, then this machine's cached
// copy. Other machines' caches may keep a copy; it is the same bytes, and
// it is read only if the blob is stored again.
func (s *Store) Remove(ctx context.Context, sha string, notPutSince time.Time) (bool, error) {
	if err := blob.ValidSHA256(sha); err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM blobs WHERE sha256 = $1 AND put_at <= $2`, sha, notPutSince)
	if err != nil {
		return false, fmt.Errorf("removing original %s: %w", sha, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if name, err := s.cache.Path(sha); err == nil {
		os.Remove(name)
	}
	return true, nil
}

// Walk implements blob.Store over the database's blobs (the digests are
// read first, so fn may use the database).
func (s *Store) Walk(ctx context.Context, fn func(sha string, putAt time.Time) error) error {
	type entry struct {
		sha string
		at  time.Time
	}
	rows, err := s.pool.Query(ctx, `SELECT sha256, put_at FROM blobs ORDER BY sha256`)
	if err != nil {
		return fmt.Errorf("listing originals: %w", err)
	}
	var all []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.sha, &e.at); err != nil {
			rows.Close()
			return fmt.Errorf("listing originals: %w", err)
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing originals: %w", err)
	}
	for _, e := range all {
		if err := fn(e.sha, e.at); err != nil {
			return err
		}
	}
	return nil
}

// Has implements blob.Store.
func (s *Store) Has(ctx context.Context, sha string) (bool, error) {
	if err := blob.ValidSHA256(sha); err != nil {
		return false, err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1)`, sha).Scan(&ok); err != nil {
		return false, fmt.Errorf("looking up original %s: %w", sha, err)
	}
	return ok, nil
}

// Open implements blob.Store.
func (s *Store) Open(ctx context.Context, sha string) (io.ReadSeekCloser, error) {
	if _, err := s.File(ctx, sha); err != nil {
		return nil, err
	}
	return s.cache.Open(ctx, sha)
}

// File implements blob.Store: the blob's file in the local cache, fetched
// from the database first if this machine has not read it yet.
func (s *Store) File(ctx context.Context, sha string) (string, error) {
	if err := blob.ValidSHA256(sha); err != nil {
		return "", err
	}
	if name, err := s.cache.File(ctx, sha); err == nil {
		s.touch(name)
		return name, nil
	} else if !errors.Is(err, blob.ErrNotFound) {
		return "", err
	}
	err := s.fetch(ctx, sha)
	if errors.Is(err, blob.ErrNotFound) && s.legacy != nil {
		err = s.adopt(ctx, sha)
	}
	if err != nil {
		return "", err
	}
	return s.cache.File(ctx, sha)
}

// fetch copies a blob from the database into the cache, checking that the
// bytes hash to their name.
func (s *Store) fetch(ctx context.Context, sha string) error {
	var size int64
	var chunks int
	err := s.pool.QueryRow(ctx, `SELECT size, chunks FROM blobs WHERE sha256 = $1`, sha).Scan(&size, &chunks)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", blob.ErrNotFound, sha)
	}
	if err != nil {
		return fmt.Errorf("fetching original %s: %w", sha, err)
	}
	pr, pw := io.Pipe()
	go func() {
		var err error
		defer func() { pw.CloseWithError(err) }()
		for n := 0; n < chunks; n++ {
			var data []byte
			// One piece per query: memory stays at one piece whatever the
			// file's size.
			if err = s.pool.QueryRow(ctx, `SELECT data FROM blob_chunks WHERE sha256 = $1 AND n = $2`, sha, n).Scan(&data); err != nil {
				err = fmt.Errorf("piece %d of %d: %w", n+1, chunks, err)
				return
			}
			if _, err = pw.Write(data); err != nil {
				return
			}
		}
	}()
	ref, _, err := s.cache.Put(ctx, pr)
	pr.Close()
	if err != nil {
		return fmt.Errorf("fetching original %s: %w", sha, err)
	}
	if ref.SHA256 != sha || ref.Size != size {
		// The bytes are in the cache under their own digest, harmless; this
		// one is corrupt in the database.
		return fmt.Errorf("fetching original %s: the database holds %d bytes hashing to %s, want %d bytes", sha, ref.Size, ref.SHA256, size)
	}
	if name, err := s.cache.Path(sha); err == nil {
		s.added(ref.Size, name)
	}
	return nil
}

// adopt moves a blob found only in the legacy directory into the database.
func (s *Store) adopt(ctx context.Context, sha string) error {
	f, err := s.legacy.Open(ctx, sha)
	if err != nil {
		return err // ErrNotFound when it is not there either
	}
	defer f.Close()
	ref, _, err := s.Put(ctx, f)
	if err != nil {
		return fmt.Errorf("moving original %s from %s into PostgreSQL: %w", sha, s.legacy.Root(), err)
	}
	if ref.SHA256 != sha {
		return fmt.Errorf("original %s in %s hashes to %s: not used", sha, s.legacy.Root(), ref.SHA256)
	}
	return nil
}
