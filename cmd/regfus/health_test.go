package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	if _, errOut, code := runCLI(t, "health", "--url", ok.URL); code != 0 {
		t.Errorf("healthy server: exit %d %s", code, errOut)
	}
	if _, _, code := runCLI(t, "health", "--url", bad.URL); code != 1 {
		t.Errorf("503 server: exit %d, want 1", code)
	}
	// A stray word is a usage error, not a health check of the default URL.
	wantUsage(t, []string{"health", "--url", ok.URL, "extra"}, `unexpected argument "extra"`)
}
