package process

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
)

// locker serialises work on one key (a pharmacy's reconciliation, a page's
// corrections) across every process sharing the store. unlock is
// idempotent.
type locker interface {
	lock(ctx context.Context, key string) (unlock func(), err error)
}

// pgLocker uses a PostgreSQL session advisory lock, held on one pooled
// connection for the duration. If the process dies the connection closes
// and the lock goes with it.
//
// The work done under the lock goes through the store, on other
// connections of the same pool. So that lock holders (and waiters, which
// hold a connection while PostgreSQL blocks them) can never take every
// connection of a small pool and starve the work they wait for, at most
// pgLockSlots locks are held or awaited per process at a time; callers never
// nest locks.
type pgLocker struct {
	pool  *pgxpool.Pool
	slots chan struct{}
}

// pgLockSlots leaves a pool of pgxpool's minimum size (4) a connection for
// River's listener and one for the work under the locks.
const pgLockSlots = 2

func newPGLocker(pool *pgxpool.Pool) pgLocker {
	return pgLocker{pool: pool, slots: make(chan struct{}, pgLockSlots)}
}

func (l pgLocker) lock(ctx context.Context, key string) (func(), error) {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		<-l.slots
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", "regfus."+key); err != nil {
		// Cancelled while waiting, the lock may still have been granted:
		// the connection is destroyed, not pooled, so it goes with it.
		conn.Conn().Close(context.Background())
		conn.Release()
		<-l.slots
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			defer func() { <-l.slots }()
			// A background context: the lock must be released even when
			// the caller's context has ended. If the unlock fails the
			// connection is destroyed, which releases the lock too.
			if _, err := conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext($1))", "regfus."+key); err != nil {
				conn.Conn().Close(context.Background())
			}
			conn.Release()
		})
	}, nil
}

// fileLocker uses flock(2) on one file per key in a directory of the data
// folder, for processes sharing an SQLite store. flock locks belong to the
// open file, so goroutines of one process exclude each other too; the
// kernel drops the lock when the process dies.
type fileLocker struct{ dir string }

func newFileLocker(dir string) fileLocker { return fileLocker{dir: filepath.Join(dir, "locks")} }

func (l fileLocker) lock(ctx context.Context, key string) (func(), error) {
	if err := os.MkdirAll(l.dir, 0o750); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(l.dir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", key, err)
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", key, err)
		}
	case <-ctx.Done():
		// The blocked flock is abandoned: closing the file once it
		// returns releases whatever it got.
		go func() { <-done; f.Close() }()
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { f.Close() }) }, nil
}
