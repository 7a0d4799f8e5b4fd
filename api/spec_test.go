package api

import (
	"strings"
	"testing"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store/sqlite"
)

const goodDoc = `openapi: 3.0.3
paths:
  /healthz:
    get:
      operationId: healthz
      x-timeout: request
  /v1/things/{id}:
    parameters: []
    post:
      operationId: thing
      x-roles: [station, admin]
      x-body: json
      x-timeout: upload
      requestBody:
        content:
          application/json: {}
          text/csv: {}
`

func TestParseOperations(t *testing.T) {
	t.Parallel()
	ops, err := parseOperations([]byte(goodDoc))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 {
		t.Fatalf("%d operations, want 2: %+v", len(ops), ops)
	}
	h, th := ops[0], ops[1]
	if h.ID != "healthz" || h.Method != "GET" || h.Roles != nil || h.MediaTypes != nil {
		t.Errorf("healthz = %+v", h)
	}
	if th.ID != "thing" || th.Method != "POST" || th.EchoPath() != "/v1/things/:id" || th.Body != "json" || th.Timeout != "upload" ||
		strings.Join(th.MediaTypes, ",") != "application/json,text/csv" || !th.allows(auth.Station) || th.allows(auth.Pharmacy) {
		t.Errorf("thing = %+v", th)
	}
}

func TestParseOperationsRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, doc, want string
	}{
		{"not YAML", "paths: [", "openapi.yaml"},
		{"no operationId", "paths:\n  /a:\n    get:\n      x-timeout: request\n", "no operationId"},
		{"duplicate operationId", "paths:\n  /a:\n    get:\n      operationId: x\n      x-timeout: request\n  /b:\n    get:\n      operationId: x\n      x-timeout: request\n", "already used"},
		{"unknown role", "paths:\n  /a:\n    get:\n      operationId: x\n      x-timeout: request\n      x-roles: [king]\n", "unknown role"},
		{"empty roles", "paths:\n  /a:\n    get:\n      operationId: x\n      x-timeout: request\n      x-roles: []\n", "x-roles is empty"},
		{"no timeout", "paths:\n  /a:\n    get:\n      operationId: x\n", "x-timeout"},
		{"body class without body", "paths:\n  /a:\n    get:\n      operationId: x\n      x-timeout: request\n      x-body: json\n", "without a requestBody"},
		{"body without class", "paths:\n  /a:\n    post:\n      operationId: x\n      x-timeout: request\n      requestBody:\n        content:\n          text/csv: {}\n", "x-body"},
		{"body without media types", "paths:\n  /a:\n    post:\n      operationId: x\n      x-timeout: request\n      x-body: json\n      requestBody:\n        content: {}\n", "without content types"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseOperations([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestNewRefusesMismatch: an operation without a handler, or a handler
// without an operation, stops the server from being built.
func TestNewRefusesMismatch(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := Config{Store: st, Reconciler: nopReconciler{}}
	extra := string(openapiYAML) + "" // the real document plus one operation
	extra = strings.Replace(extra, "paths:\n", "paths:\n  /v1/extra:\n    get:\n      operationId: extra\n      x-timeout: request\n", 1)
	if _, err := newServer(cfg, []byte(extra)); err == nil || !strings.Contains(err.Error(), `no handler for operationId "extra"`) {
		t.Errorf("document with an extra operation: %v", err)
	}
	missing := strings.Replace(string(openapiYAML), "operationId: healthz", "operationId: healthcheck", 1)
	if _, err := newServer(cfg, []byte(missing)); err == nil || !strings.Contains(err.Error(), "healthcheck") {
		t.Errorf("document with a renamed operation: %v", err)
	}
	if _, err := newServer(cfg, openapiYAML); err != nil {
		t.Errorf("the real document: %v", err)
	}
	if _, err := New(Config{Reconciler: nopReconciler{}}); err == nil {
		t.Error("New without a store succeeded")
	}
	if _, err := New(Config{Store: st}); err == nil {
		t.Error("New without a reconciler succeeded")
	}
}
