package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/sqlite"
)

// sqliteFlags points a command at a fresh embedded store, ignoring any
// DATABASE_URL in the environment.
func sqliteFlags(t *testing.T) []string {
	return []string{"--data", filepath.Join(t.TempDir(), "data"), "--database-url="}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	flags := sqliteFlags(t)
	out, errOut, code := runCLI(t, append([]string{"migrate"}, flags...)...)
	if code != 0 || !strings.Contains(out, "applied 0001_init.sql") || !strings.Contains(out, "schema up to date") {
		t.Fatalf("migrate: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	out, _, code = runCLI(t, append([]string{"migrate"}, flags...)...)
	if code != 0 || strings.Contains(out, "applied 0001") || !strings.Contains(out, "(0 migrations applied now)") {
		t.Fatalf("second migrate: exit %d, stdout %q", code, out)
	}
	if _, _, code := runCLI(t, "migrate", "extra"); code != 2 {
		t.Fatalf("migrate extra: exit %d, want 2", code)
	}
}

func TestKeysCreateListRevoke(t *testing.T) {
	t.Parallel()
	flags := sqliteFlags(t)
	data := flags[1]
	run := func(args ...string) (string, string, int) { return runCLI(t, append(args, flags...)...) }

	out, errOut, code := run("keys", "create", "--role", "station", "--asl", "205", "--label", "scanner 1")
	if code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errOut)
	}
	secret := strings.TrimSpace(out)
	if strings.Count(out, "\n") != 1 || auth.CheckSecret(secret) != nil {
		t.Fatalf("keys create stdout %q, want the key alone on one line", out)
	}
	if !strings.Contains(errOut, "station ASL 120-205") || !strings.Contains(errOut, "shown only now") {
		t.Fatalf("keys create stderr %q", errOut)
	}

	out, _, code = run("keys", "create", "--role", "validator", "--json")
	var created struct{ ID, Key, Role, Region string }
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || created.Role != "validator" || created.Region != "120" || auth.CheckSecret(created.Key) != nil {
		t.Fatalf("keys create --json: exit %d, %q", code, out)
	}

	out, _, code = run("keys", "list")
	if code != 0 || !strings.Contains(out, "station ASL 120-205") || !strings.Contains(out, "validator region 120") || !strings.Contains(out, "scanner 1") {
		t.Fatalf("keys list: exit %d\n%s", code, out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, created.Key) {
		t.Fatal("keys list shows a secret")
	}

	// The store knows the key by its hash only.
	s, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.LookupKey(context.Background(), auth.Hash(secret))
	if err != nil || k.Scope.ASL != "205" || k.Label != "scanner 1" {
		t.Fatalf("LookupKey(created key) = %+v, %v", k, err)
	}
	for _, f := range []string{"regfus.db", "regfus.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(data, f))
		if bytes.Contains(b, []byte(secret[len(auth.SecretPrefix):])) {
			t.Fatalf("%s contains the secret", f)
		}
	}

	out, errOut, code = run("keys", "revoke", k.ID)
	if code != 0 || !strings.Contains(out, "revoked "+k.ID) {
		t.Fatalf("keys revoke: exit %d, %q %q", code, out, errOut)
	}
	if _, err := s.LookupKey(context.Background(), auth.Hash(secret)); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("LookupKey after revoke: %v, want ErrRevoked", err)
	}
	if _, err := s.LookupKey(context.Background(), auth.Hash(created.Key)); err != nil {
		t.Fatalf("the other key stopped working: %v", err)
	}
	out, _, _ = run("keys", "list", "--json")
	var listed []struct {
		ID        string  `json:"id"`
		RevokedAt *string `json:"revoked_at"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 2 || listed[0].RevokedAt == nil || listed[1].RevokedAt != nil {
		t.Fatalf("keys list --json after revoke: %v\n%s", err, out)
	}

	_, errOut, code = run("keys", "revoke", "k_000000000000")
	if code != 1 || !strings.Contains(errOut, `no key "k_000000000000"`) {
		t.Fatalf("revoke unknown: exit %d, %q", code, errOut)
	}
}

func TestKeysUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"keys"}, "which action"},
		{[]string{"keys", "rotate"}, `unknown action "rotate"`},
		{[]string{"keys", "create"}, "role is required"},
		{[]string{"keys", "create", "--role", "root"}, `unknown role "root"`},
		{[]string{"keys", "create", "--role", "station"}, "role station needs --asl"},
		{[]string{"keys", "create", "--role", "station", "--asl", "2O5"}, `--asl "2O5": character 2 is 'O', want a digit`},
		{[]string{"keys", "create", "--role", "pharmacy", "--pharmacy", "99999"}, `"99999" is not REGION-ASL-PHARMACY`},
		{[]string{"keys", "create", "--role", "pharmacy", "--asl", "205"}, "not used with role pharmacy"},
		{[]string{"keys", "create", "--role", "admin", "--region", "120"}, "not used with role admin"},
		{[]string{"keys", "create", "--role", "validator", "--region", "1200"}, `--region "1200" has 4 characters`},
		{[]string{"keys", "revoke"}, "which key?"},
		{[]string{"keys", "revoke", "a", "b"}, `unexpected argument "b"`},
		{[]string{"keys", "list", "x"}, `unexpected argument "x"`},
	}
	for _, tt := range tests {
		wantUsage(t, append(tt.args, sqliteFlags(t)...), tt.want)
	}
}

// TestKeysAndMigrateOnPostgres runs the same commands against PostgreSQL
// (TEST_DATABASE_URL, in a schema of its own). Like the store's PostgreSQL
// tests it fails when no database is given, unless REGFUS_SKIP_PG=1.
func TestKeysAndMigrateOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, schema := pgtest.SchemaURL(t, "regfus_cli")
	pool := pgtest.Admin(t)
	flags := []string{"--database-url", url, "--data", t.TempDir()}

	out, errOut, code := runCLI(t, append([]string{"migrate"}, flags...)...)
	if code != 0 || !strings.Contains(out, "applied 0001_init.sql") || !strings.Contains(out, "applied river") || !strings.Contains(out, "PostgreSQL store") {
		t.Fatalf("migrate on PostgreSQL: exit %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, append([]string{"keys", "create", "--role", "pharmacy", "--pharmacy", "120-205-99999"}, flags...)...)
	if code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errOut)
	}
	secret := strings.TrimSpace(out)
	var stored []byte
	if err := pool.QueryRow(ctx, "SELECT hash FROM "+schema+".api_keys").Scan(&stored); err != nil || !bytes.Equal(stored, auth.Hash(secret)) {
		t.Fatalf("stored hash %x (%v), want sha256 of the printed key", stored, err)
	}
	out, _, code = runCLI(t, append([]string{"keys", "list"}, flags...)...)
	if code != 0 || !strings.Contains(out, "pharmacy 120-205-99999") {
		t.Fatalf("keys list: exit %d\n%s", code, out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	out, _, code = runCLI(t, append([]string{"keys", "revoke", id}, flags...)...)
	if code != 0 || !strings.Contains(out, "revoked "+id) {
		t.Fatalf("keys revoke: exit %d, %q", code, out)
	}
}

// keys touches the store, not the originals: its actions take no
// --blob-cache-mb (serve and worker do).
func TestKeysHelpHasNoBlobCache(t *testing.T) {
	for _, action := range []string{"create", "list", "revoke"} {
		out, _, code := runCLI(t, "keys", action, "--help")
		if code != 0 || !strings.Contains(out, "-database-url") || strings.Contains(out, "blob-cache") {
			t.Errorf("keys %s --help: exit %d\n%s", action, code, out)
		}
	}
	for _, cmd := range []string{"serve", "worker"} {
		if out, _, _ := runCLI(t, cmd, "--help"); !strings.Contains(out, "-blob-cache-mb") {
			t.Errorf("%s --help lacks --blob-cache-mb", cmd)
		}
	}
}
