package api_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
)

// checkErrorShape checks one error response against SPEC section 7: JSON
// {"error","request_id"}, the id also in X-Request-ID, and no internals.
func checkErrorShape(t *testing.T, what string, r resp, leaks ...string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var raw map[string]any
	r.json(t, &raw)
	msg, _ := raw["error"].(string)
	rid, _ := raw["request_id"].(string)
	if msg == "" || rid == "" {
		t.Errorf("%s: body %s lacks error or request_id", what, r)
	}
	for k := range raw {
		if k != "error" && k != "request_id" && k != "problems" {
			t.Errorf("%s: unexpected key %q in the error body", what, k)
		}
	}
	if h := r.header.Get("X-Request-ID"); h != rid {
		t.Errorf("%s: X-Request-ID %q, body request_id %q", what, h, rid)
	}
	lower := strings.ToLower(msg)
	for _, l := range append(leaks, "sqlite", "postgres", "pgx", "sql:", "select ", "goroutine", "panic", "/tmp/", "blobs/") {
		if l != "" && strings.Contains(lower, strings.ToLower(l)) {
			t.Errorf("%s: error %q leaks %q", what, msg, l)
		}
	}
}

// TestErrorShape: every kind of error the service gives has the same
// shape, and request ids are echoed (the client's own when it sends one).
func TestErrorShape(t *testing.T) {
	bothStores(t, testErrorShape)
}

func testErrorShape(t *testing.T, kind string) {
	e := newEnv(t, kind, envOptions{
		configure: func(c *api.Config) { c.RateLimit = api.RateLimit{PerSecond: 1, Burst: 5} },
		// No workers and a queue of one page: the second upload overflows.
		engine: func(c *process.Config) { c.Workers, c.MaxQueue = -1, 1 },
	})
	admin := e.key(auth.Scope{Role: auth.Admin})
	pharmacy := e.key(auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "202", Pharmacy: "93161"}})
	body, ct := multipartBody(t, part{"files", scanClean, readScan(t, scanClean)})
	other, otherCT := multipartBody(t, part{"files", scanOther, readScan(t, scanOther)})

	// The client's request id is echoed; a bad one is replaced.
	r := e.do(req{method: "GET", path: "/v1/batches/42", key: admin, header: map[string]string{"X-Request-ID": "client-id-7"}})
	checkErrorShape(t, "404 with a client id", r)
	if r.header.Get("X-Request-ID") != "client-id-7" {
		t.Errorf("client request id not echoed: %q", r.header.Get("X-Request-ID"))
	}
	r = e.do(req{method: "GET", path: "/v1/batches/42", key: admin, header: map[string]string{"X-Request-ID": "bad id\twith spaces"}})
	if id := r.header.Get("X-Request-ID"); !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
		t.Errorf("an unusable client id was kept or not replaced: %q", id)
	}
	// Request ids differ from one request to the next.
	a := e.do(req{method: "GET", path: "/healthz"}).header.Get("X-Request-ID")
	b := e.do(req{method: "GET", path: "/healthz"}).header.Get("X-Request-ID")
	if a == "" || a == b {
		t.Errorf("request ids %q and %q", a, b)
	}

	// 401 says how to authenticate.
	r = e.do(req{method: "GET", path: "/v1/review"})
	checkErrorShape(t, "401", r)
	if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401: %s, WWW-Authenticate %q", r, r.header.Get("WWW-Authenticate"))
	}
	// 403 names the role.
	r = e.do(req{method: "POST", path: "/v1/review/1", key: pharmacy, body: []byte(`{"value":1}`), contentType: "application/json"})
	checkErrorShape(t, "403", r)
	if r.status != 403 || !strings.Contains(r.String(), "role pharmacy") {
		t.Errorf("403: %s", r)
	}

	// 503 overloaded, with Retry-After, when the queue is full.
	if r := e.do(req{method: "POST", path: "/v1/batches", key: admin, body: body, contentType: ct}); r.status != 202 {
		t.Fatalf("first upload: %s", r)
	}
	r = e.do(req{method: "POST", path: "/v1/batches", key: admin, body: other, contentType: otherCT})
	checkErrorShape(t, "503 overloaded", r)
	if s, _ := strconv.Atoi(r.header.Get("Retry-After")); r.status != 503 || s < 1 {
		t.Errorf("overloaded upload: %s, Retry-After %q", r, r.header.Get("Retry-After"))
	}

	// 429 with Retry-After once the key's burst is spent; other keys are
	// not affected.
	var got429 resp
	for i := 0; i < 10; i++ {
		if r := e.do(req{method: "GET", path: "/v1/batches", key: admin}); r.status == 429 {
			got429 = r
			break
		}
	}
	checkErrorShape(t, "429", got429)
	if s, _ := strconv.Atoi(got429.header.Get("Retry-After")); got429.status != 429 || s < 1 {
		t.Errorf("no 429 with Retry-After after a burst: %s", got429)
	}
	if r := e.do(req{method: "GET", path: "/v1/review", key: pharmacy}); r.status != 200 {
		t.Errorf("another key got %s after the first one's burst", r)
	}

	// A request over its time limit is a 503, not a hang.
	slow := newEnv(t, kind, envOptions{noEngine: true, configure: func(c *api.Config) { c.Timeouts.Request = time.Nanosecond }})
	r = slow.do(req{method: "GET", path: "/v1/batches", key: slow.key(auth.Scope{Role: auth.Admin})})
	checkErrorShape(t, "request over its time limit", r)
	if r.status != 503 {
		t.Errorf("request over its time limit: %s, want 503", r)
	}

	// The database goes away: readiness and every keyed request say 503;
	// liveness stays up; nothing internal leaks.
	e.store.Close()
	r = e.do(req{method: "GET", path: "/readyz"})
	checkErrorShape(t, "readyz with the store closed", r)
	if r.status != 503 {
		t.Errorf("readyz with the store closed: %s", r)
	}
	r = e.do(req{method: "GET", path: "/v1/batches/1", key: pharmacy})
	checkErrorShape(t, "request with the store closed", r)
	if r.status != 503 {
		t.Errorf("keyed request with the store closed: %s", r)
	}
	if r := e.do(req{method: "GET", path: "/healthz"}); r.status != 200 {
		t.Errorf("healthz with the store closed: %s", r)
	}
	// Every failed request was logged with its request id and cause.
	logs := e.logs.String()
	for _, want := range []string{`"msg":"request failed"`, `"request_id":"client-id-7"`, `"cause":`, `"status":503`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log has no %s", want)
		}
	}
}
