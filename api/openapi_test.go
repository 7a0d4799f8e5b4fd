package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/regfus/regfus/api"
)

// docOperations reads the document on its own (not through package api's
// parser) and returns "METHOD /echo/:path" for every operation.
func docOperations(t *testing.T, doc []byte) (map[string]map[string]any, []string) {
	t.Helper()
	var d struct {
		OpenAPI string                          `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		t.Fatalf("openapi: %q, want 3.x", d.OpenAPI)
	}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	ops := map[string]map[string]any{}
	var keys []string
	for path, item := range d.Paths {
		for m, node := range item {
			if !methods[m] {
				continue
			}
			var op map[string]any
			if err := node.Decode(&op); err != nil {
				t.Fatal(err)
			}
			k := strings.ToUpper(m) + " " + param.ReplaceAllString(path, ":$1")
			ops[k] = op
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return ops, keys
}

// TestOpenAPIMatchesRoutes: every route the server registered is an
// operation of the document, and every operation is a registered route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite", envOptions{noEngine: true})
	ops, _ := docOperations(t, api.OpenAPI())
	registered := map[string]bool{}
	for _, r := range e.srv.Routes() {
		k := r.Method + " " + r.Path
		registered[k] = true
		if _, ok := ops[k]; !ok {
			t.Errorf("route %s is registered but not in openapi.yaml", k)
		}
	}
	for k := range ops {
		if !registered[k] {
			t.Errorf("openapi.yaml documents %s but the server has no such route", k)
		}
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes registered", len(registered))
	}
	// Every path of SPEC section 7 is there.
	for _, k := range []string{
		"POST /v1/batches", "GET /v1/batches/:id", "GET /v1/batches/:id/events", "GET /v1/batches/:id/pages",
		"GET /v1/pages/:id/image", "GET /v1/pages/:id/overlay", "POST /v1/check", "POST /v1/declarations",
		"POST /v1/records", "GET /v1/reconciliations", "GET /v1/review", "POST /v1/review/:id",
		"GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml",
	} {
		if !registered[k] {
			t.Errorf("SPEC section 7 route %s is missing", k)
		}
	}
}

// TestOpenAPIDocument checks the document's own consistency: references
// resolve, and every operation documents the statuses its middleware can
// answer (401 and 429 with a key, 415 and 413 with a body).
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc := api.OpenAPI()
	var root map[string]any
	if err := yaml.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	// Every $ref points at something.
	refs := regexp.MustCompile(`\$ref: "#/([^"]+)"`).FindAllSubmatch(doc, -1)
	if len(refs) == 0 {
		t.Fatal("no $ref in the document")
	}
	for _, m := range refs {
		var node any = root
		for _, seg := range strings.Split(string(m[1]), "/") {
			mm, ok := node.(map[string]any)
			if !ok {
				node = nil
				break
			}
			node = mm[seg]
		}
		if node == nil {
			t.Errorf("$ref #/%s resolves to nothing", m[1])
		}
	}
	ops, keys := docOperations(t, doc)
	for _, k := range keys {
		op := ops[k]
		responses, _ := op["responses"].(map[string]any)
		has := func(code string) bool { _, ok := responses[code]; return ok }
		if op["operationId"] == nil {
			t.Errorf("%s: no operationId", k)
		}
		if op["x-roles"] != nil {
			for _, c := range []string{"401", "429"} {
				if !has(c) {
					t.Errorf("%s needs a key but does not document %s", k, c)
				}
			}
			if strings.Contains(k, ":id") && !has("404") {
				t.Errorf("%s takes an id but does not document 404", k)
			}
		}
		if op["requestBody"] != nil {
			for _, c := range []string{"413", "415"} {
				if !has(c) {
					t.Errorf("%s takes a body but does not document %s", k, c)
				}
			}
		}
		ok := false
		for c := range responses {
			if strings.HasPrefix(c, "2") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s documents no success response", k)
		}
	}
}

// TestOpenAPIServed: /openapi.yaml is the embedded document, unchanged.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite", envOptions{noEngine: true})
	r := e.do(req{method: "GET", path: "/openapi.yaml"})
	if r.status != http.StatusOK || !bytes.Equal(r.body, api.OpenAPI()) {
		t.Fatalf("GET /openapi.yaml: %d, %d bytes; want the %d embedded bytes", r.status, len(r.body), len(api.OpenAPI()))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("Content-Type %q", ct)
	}
	// The roles the server enforces are the document's.
	for _, op := range api.Operations() {
		if strings.HasPrefix(op.Path, "/v1/") && len(op.Roles) == 0 {
			t.Errorf("%s %s has no x-roles: every /v1 operation needs a key", op.Method, op.Path)
		}
		if !strings.HasPrefix(op.Path, "/v1/") && len(op.Roles) > 0 {
			t.Errorf("%s %s is not under /v1 but needs a key", op.Method, op.Path)
		}
	}
}
