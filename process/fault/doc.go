// Package fault holds the fault tests of the processing engine: they build
// the regfus binary and run `regfus serve` and `regfus worker` as real
// processes, then kill workers (SIGKILL), restart the embedded server in
// the middle of a batch and take the database away, and check that every
// page of a batch is processed exactly once and nothing is lost, and that
// readiness follows the database.
//
// The PostgreSQL cases need TEST_DATABASE_URL (they fail without it
// unless REGFUS_SKIP_PG=1): scripts/testpg run -- go test ./process/...
//
// The package has no code of its own; everything is in its tests.
package fault
