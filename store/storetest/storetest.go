// Package storetest is the conformance suite every store.Store must pass.
// The PostgreSQL and SQLite packages run it from their tests:
//
//	storetest.Run(t, func(t *testing.T) storetest.Store { ... })
//
// newStore must return a migrated, empty store of its own (a temporary
// directory, a fresh schema) and arrange its cleanup with t.Cleanup; every
// case runs in parallel on its own store, with a context that ends after
// a minute.
//
// The cases are grouped by area, one file each (migrate.go, keys.go,
// batches.go, work.go, review.go, imports.go, reconciliations.go), with
// the fixtures they share in fixtures.go.
package storetest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/regfus/regfus/store"
)

// Store is a store.Store over database/sql, as both stores are. The suite
// reaches under the interface only to stage what no regfus of today
// writes (a report stored before summaries were kept).
type Store interface {
	store.Store
	DB() *sql.DB
}

// Run runs every conformance case against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	cases := []struct {
		name string
		f    func(t *testing.T, c context.Context, s Store)
	}{
		// The schema and the connection. (migrate.go)
		{"MigrateIsIdempotent", testMigrateIdempotent},
		{"Ping", testPing},
		{"MigrationFillsOlderSummaries", testMigrationFillsSummaries},
		// API keys. (keys.go)
		{"Keys", testKeys},
		{"KeyRevocation", testKeyRevocation},
		// Uploads, batches and who sees their pages. (batches.go)
		{"BatchCreateAndReuploads", testBatchCreate},
		{"BatchScope", testBatchScope},
		{"PagesSharedOnlyWithinScope", testPagesPerScope},
		{"QueueLimitCountsNewPages", testQueueLimit},
		{"PageScopeBySheet", testPageScope},
		// Claims, leases and results. (work.go)
		{"ClaimCompleteProgress", testClaimComplete},
		{"LeaseExpiryRequeues", testLeaseExpiry},
		{"LeaseExhaustedFails", testLeaseExhausted},
		{"ReleaseAndExtend", testReleaseExtend},
		{"ConcurrentClaimsTakeEachPageOnce", testConcurrentClaims},
		{"CompleteWithoutClaim", testCompleteWithoutClaim},
		// Review items and corrections. (review.go)
		{"ReviewAndCorrections", testReview},
		{"ReviewSuggestionOfScanOrder", testReviewSuggestion},
		// Declarations and records. (imports.go)
		{"Declarations", testDeclarations},
		{"Records", testRecords},
		// Stored reconciliation reports. (reconciliations.go)
		{"Reconciliations", testReconciliations},
		{"ReconciliationPages", testReconciliationPages},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, ctx(t), newStore(t))
		})
	}
}
