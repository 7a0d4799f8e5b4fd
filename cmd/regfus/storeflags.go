package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/blob/pgblob"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/postgres"
	"github.com/regfus/regfus/store/sqlite"
)

// defaultDataDir is where the embedded store and the originals live when
// --data is not given (SPEC section 6).
const defaultDataDir = "./regfus-data"

// storeFlags are the flags every command that touches the store shares
// (serve, worker, keys, migrate): --data and --database-url. With a
// database URL the store is PostgreSQL; without, SQLite in --data. The
// commands that also read the uploaded originals (serve, worker) add
// --blob-cache-mb with addBlobFlags.
type storeFlags struct {
	data        string
	databaseURL string
	cacheMB     int64
}

// addStoreFlags registers --data and --database-url on fs. The URL defaults
// to $DATABASE_URL.
func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.data, "data", defaultDataDir, "data folder: the embedded database and the uploaded originals when no --database-url is given; with PostgreSQL (which then holds the originals) a local read cache")
	fs.StringVar(&f.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (default $DATABASE_URL); empty: embedded SQLite in --data")
	return f
}

// addBlobFlags registers --data, --database-url and --blob-cache-mb on fs,
// for the commands that read the uploaded originals.
func addBlobFlags(fs *flag.FlagSet) *storeFlags {
	f := addStoreFlags(fs)
	fs.Int64Var(&f.cacheMB, "blob-cache-mb", 10240, "with PostgreSQL: keep the local read cache of originals in --data under about this many MiB, least recently used going first; 0: unbounded")
	return f
}

// describe names the store for messages, without the URL's password.
func (f *storeFlags) describe() string {
	if f.databaseURL == "" {
		return "SQLite store " + filepath.Join(f.data, sqlite.FileName)
	}
	return "PostgreSQL store"
}

// open opens the store and, when migrate is true, brings its schema up to
// date first (so `regfus keys create` works on a fresh data folder).
func (f *storeFlags) open(ctx context.Context, migrate bool) (store.Store, error) {
	if f.databaseURL != "" {
		pg, err := postgres.Open(ctx, f.databaseURL, postgres.Options{})
		if err != nil {
			return nil, err
		}
		return pg, f.migrate(ctx, pg, migrate)
	}
	if f.data == "" {
		return nil, usagef("--data must not be empty when no --database-url is given")
	}
	lite, err := sqlite.Open(ctx, f.data)
	if err != nil {
		return nil, err
	}
	return lite, f.migrate(ctx, lite, migrate)
}

// migrate brings s's schema up to date when asked; on failure s is closed.
func (f *storeFlags) migrate(ctx context.Context, s store.Store, migrate bool) error {
	if !migrate {
		return nil
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return fmt.Errorf("%s: %w", f.describe(), err)
	}
	return nil
}

// backend is what the engine runs on (serve, worker), assembled here once
// from the flags: the store, the uploaded originals and the queue.
//
// With PostgreSQL all three live in the database, so a worker on any
// machine needs only the URL: the originals in it (package blob/pgblob,
// with a local read cache in DATA/blob-cache, and the originals an older
// regfus kept in DATA/blobs moved in when read), pages as River jobs.
// With the embedded store: SQLite in DATA, the originals in DATA/blobs,
// the in-process pool with its reconciliation locks in DATA.
type backend struct {
	store store.Store
	blobs blob.Store
	queue process.Queue
}

// openBackend opens the backend, its schema migrated.
func (f *storeFlags) openBackend(ctx context.Context) (*backend, error) {
	if f.data == "" {
		return nil, usagef("--data must not be empty")
	}
	if f.cacheMB < 0 {
		return nil, usagef("--blob-cache-mb must be 0 (unbounded) or more, not %d", f.cacheMB)
	}
	dir := filepath.Join(f.data, "blobs")
	if f.databaseURL == "" {
		st, err := f.open(ctx, true)
		if err != nil {
			return nil, err
		}
		blobs, err := blob.Open(dir)
		if err != nil {
			st.Close()
			return nil, err
		}
		return &backend{store: st, blobs: blobs, queue: process.LocalQueue(f.data)}, nil
	}
	pg, err := postgres.Open(ctx, f.databaseURL, postgres.Options{})
	if err != nil {
		return nil, err
	}
	if err := f.migrate(ctx, pg, true); err != nil {
		return nil, err
	}
	var legacy *blob.Dir
	if _, err := os.Stat(dir); err == nil {
		if legacy, err = blob.Open(dir); err != nil {
			pg.Close()
			return nil, err
		}
	}
	bs, err := pgblob.New(pg.Pool(), filepath.Join(f.data, "blob-cache"), legacy)
	if err != nil {
		pg.Close()
		return nil, err
	}
	bs.SetCacheLimit(f.cacheMB << 20)
	return &backend{store: pg, blobs: bs, queue: process.RiverQueue(pg.Pool())}, nil
}
