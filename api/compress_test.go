package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// TestResponsesCompressed: documents go gzipped to a client that accepts
// gzip and plain to one that does not, with the same content; small
// answers are not worth it and go plain.
func TestResponsesCompressed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite", envOptions{noEngine: true})
	plain := e.do(req{method: "GET", path: "/openapi.yaml", header: map[string]string{"Accept-Encoding": "identity"}})
	if plain.status != 200 || plain.header.Get("Content-Encoding") != "" || len(plain.body) < 4096 {
		t.Fatalf("plain: %d, Content-Encoding %q, %d bytes", plain.status, plain.header.Get("Content-Encoding"), len(plain.body))
	}
	gz := e.do(req{method: "GET", path: "/openapi.yaml", header: map[string]string{"Accept-Encoding": "gzip"}})
	if gz.status != 200 || gz.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %d, Content-Encoding %q", gz.status, gz.header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.body))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, plain.body) {
		t.Fatalf("gunzipped body (%d bytes) differs from the plain one (%d bytes)", len(body), len(plain.body))
	}
	if len(gz.body) > len(plain.body)/2 {
		t.Errorf("gzipped %d bytes of %d", len(gz.body), len(plain.body))
	}
	small := e.do(req{method: "GET", path: "/healthz", header: map[string]string{"Accept-Encoding": "gzip"}})
	if small.status != 200 || small.header.Get("Content-Encoding") != "" {
		t.Errorf("/healthz: %d, Content-Encoding %q, want plain", small.status, small.header.Get("Content-Encoding"))
	}
}
