// Package sqlstore is the one Go implementation of store.Store, over
// database/sql. The PostgreSQL and SQLite packages hand it a Dialect: their
// migrations, their SQL text (one queries.sql each) and the few conversions
// that differ. Keeping the logic here and only the SQL there means both
// stores follow exactly the same rules, which the conformance suite then
// checks against both databases.
//
// # queries.sql
//
// A dialect's queries file is a sequence of named statements:
//
//	-- name: GetBatch
//	SELECT ... WHERE b.id = $1 ...;
//
// Parameters are positional ($1, $2, ...; SQLite accepts the same syntax).
// Each query's parameters are listed in the comment above its use in
// sqlstore.go, and New refuses a dialect that lacks a query or has one it
// does not know, so a typo fails at start, not on the first request.
package sqlstore

import (
	"bufio"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Name is "postgres" or "sqlite", for messages.
	Name string
	// Queries is the text of the dialect's queries.sql.
	Queries string
	// Migrations holds NNNN_name.sql files at its root.
	Migrations fs.FS
	// MigrationLock, when set, is executed first in the migration
	// transaction, so concurrent `regfus migrate` runs take turns.
	MigrationLock string
	// MigrationSetup and MigrationTeardown, when set, run on the
	// migration's connection before its transaction begins and after it
	// ends (SQLite: foreign keys off, then on again, so a migration can
	// rebuild a table others refer to). MigrationCheck, when set, runs in
	// the transaction after the migrations; any row it returns refuses
	// them (SQLite: PRAGMA foreign_key_check).
	MigrationSetup, MigrationTeardown, MigrationCheck string
	// Time converts a time for a query parameter (PostgreSQL: time.Time for
	// timestamptz; SQLite: int64 microseconds since the epoch).
	Time func(time.Time) any
	// IsUniqueViolation recognises a unique-constraint error.
	IsUniqueViolation func(error) bool
}

// queryNames lists every query the engine runs.
var queryNames = []string{
	"InsertKey", "GetKey", "LookupKey", "ListKeys", "RevokeKey",
	"InsertBatch", "InsertFile", "GetFilePages", "InsertBatchFile", "LockFile", "FindPageSet", "HasFile", "InsertPage",
	"GetBatch", "ListBatches", "ListPages", "GetPage",
	"FailExhausted", "ClaimPage", "ExtendLease", "ReleasePage", "LockPage",
	"FinishPage", "FailPage", "UpdatePageResult", "DeleteSlots", "InsertSlot",
	"DeleteSheet", "InsertSheet", "InsertReview", "QueueDepth",
	"ListSheetResults", "FindTargature",
	"InsertImport", "DeleteDeclarationsGroup", "InsertDeclaration",
	"DeleteRecordsGroup", "InsertRecord", "ListDeclarations", "ListRecords",
	"PutReconciliation", "GetReconciliation", "ListReconciliations",
	"ListReconciliationReports", "ListReconciliationSummaries", "ListUnsummarised", "SetSummary",
	"ListReview", "GetReview", "ListCorrections",
	"InsertCorrection", "ResolveReview",
}

// parseQueries splits a queries.sql text into named statements and checks
// that the set of names is exactly queryNames.
func parseQueries(dialect, text string) (map[string]string, error) {
	q := map[string]string{}
	var name string
	var body strings.Builder
	flush := func() {
		if name != "" {
			q[name] = strings.TrimSpace(body.String())
		}
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "-- name:"); ok {
			flush()
			name = strings.TrimSpace(rest)
			if _, dup := q[name]; dup {
				return nil, fmt.Errorf("%s queries.sql line %d: query %q defined twice", dialect, line, name)
			}
			continue
		}
		if name == "" {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				return nil, fmt.Errorf("%s queries.sql line %d: SQL before the first '-- name:' line", dialect, line)
			}
			continue
		}
		body.WriteString(l)
		body.WriteByte('\n')
	}
	flush()
	known := map[string]bool{}
	var missing []string
	for _, n := range queryNames {
		known[n] = true
		if strings.TrimSpace(strings.TrimSuffix(q[n], ";")) == "" {
			missing = append(missing, n)
		}
	}
	var unknown []string
	for n := range q {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	sort.Strings(unknown)
	if len(missing) > 0 || len(unknown) > 0 {
		return nil, fmt.Errorf("%s queries.sql: missing queries %v, unknown queries %v", dialect, missing, unknown)
	}
	return q, nil
}
