package api_test

import (
	"context"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store/postgres"
)

// cutProxy forwards TCP connections to a target until it is cut: then it
// drops every open connection and every new one, as a database that went
// away does, until it is mended.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close(); c.Close() }()
		go func() { io.Copy(c, up); up.Close(); c.Close() }()
	}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		p.conns = map[net.Conn]bool{}
	}
}

// TestReadinessFollowsTheDatabase: when PostgreSQL goes away, /readyz
// answers 503 (and so does every request that needs a key), /healthz
// stays 200; when it comes back, both recover without a restart.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	raw := pgURL(t)
	schema := newSchema(t, raw)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	st, err := postgres.Open(ctx, u.String(), postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: st, Reconciler: noReconciler{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	e := &env{t: t, url: ts.URL, store: st, srv: srv}
	key := e.key(auth.Scope{Role: auth.Admin})

	status := func(path, key string) int { return e.do(req{method: "GET", path: path, key: key}).status }
	waitFor := func(path, key string, want int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for status(path, key) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not answer %d within 30s", path, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if s := status("/readyz", ""); s != 200 {
		t.Fatalf("readyz with the database up: %d", s)
	}

	proxy.setCut(true)
	waitFor("/readyz", "", 503)
	if s := status("/v1/batches", key); s != 503 {
		t.Errorf("keyed request with the database away: %d, want 503", s)
	}
	if s := status("/healthz", ""); s != 200 {
		t.Errorf("healthz with the database away: %d", s)
	}

	proxy.setCut(false)
	waitFor("/readyz", "", 200)
	waitFor("/v1/batches", key, 200)
	if _, err := st.ListBatches(ctx, auth.Scope{Role: auth.Admin}, 1); err != nil {
		t.Errorf("store after the database came back: %v", err)
	}
}
