package process

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// lockers returns the lockers to test: a file locker, and with
// TEST_DATABASE_URL a PostgreSQL one (the test fails without it unless
// REGFUS_SKIP_PG=1).
func lockers(t *testing.T) map[string]func() locker {
	out := map[string]func() locker{
		"file": func() locker { return newFileLocker(t.TempDir()) },
	}
	url := os.Getenv("TEST_DATABASE_URL")
	switch {
	case url != "":
		out["postgres"] = func() locker {
			cfg, err := pgxpool.ParseConfig(url)
			if err != nil {
				t.Fatal(err)
			}
			cfg.MaxConns = 4 // pgxpool's smallest default
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			return newPGLocker(pool)
		}
	case os.Getenv("REGFUS_SKIP_PG") != "1":
		t.Fatal("TEST_DATABASE_URL is not set: run `scripts/testpg run -- go test ./process/...`, or set REGFUS_SKIP_PG=1 to skip the PostgreSQL tests explicitly")
	}
	return out
}

// TestLockersExclude: holders of one key take turns, other keys do not
// wait, a waiter gives up when its context ends without keeping the lock.
func TestLockersExclude(t *testing.T) {
	t.Parallel()
	for name, mk := range lockers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := mk()
			key := "reconcile:120-205-" + name + time.Now().Format("150405.000000000")
			ctx := context.Background()
			var mu sync.Mutex
			inside, most := 0, 0
			var wg sync.WaitGroup
			for i := 0; i < 6; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					unlock, err := l.lock(ctx, key)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					inside++
					most = max(most, inside)
					mu.Unlock()
					time.Sleep(10 * time.Millisecond)
					mu.Lock()
					inside--
					mu.Unlock()
					unlock()
					unlock() // idempotent
				}()
			}
			wg.Wait()
			if most != 1 {
				t.Fatalf("%d holders of one key at once", most)
			}

			unlock, err := l.lock(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			other, err := l.lock(ctx, key+"-other")
			if err != nil {
				t.Fatalf("another key waited: %v", err)
			}
			other()
			wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			_, err = l.lock(wctx, key)
			cancel()
			if err == nil {
				t.Fatal("a second holder got a held lock")
			}
			unlock()
			// The abandoned wait left nothing held.
			again, err := l.lock(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			again()
		})
	}
}
