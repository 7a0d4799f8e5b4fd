package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/regfus/regfus/internal/clitest"
	"github.com/regfus/regfus/tesseract"
)

// asCLI makes the test binary act as the regfus command when a fault test
// starts it as a child process (so the test can SIGKILL a real server or
// worker without building a separate binary).
const asCLI = "REGFUS_TEST_AS_CLI"

func TestMain(m *testing.M) {
	// A test binary must not re-execute itself: commands only set
	// OMP_THREAD_LIMIT for the processes they start.
	singleThreadOCR = func() error {
		tesseract.EnsureSingleThread()
		return nil
	}
	if os.Getenv(asCLI) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestServeUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "--workers", "-1"},
		{"serve", "--max-queue", "0"},
		{"serve", "--max-upload", "10"},
		{"serve", "--addr", ""},
		{"serve", "--lease", "10ms"},
		{"serve", "--job-timeout", "1m", "--rescue-after", "30s"},
		{"serve", "--check-waiting", "-1"},
		{"serve", "--check-wait", "10ms"},
		{"serve", "--bogus"},
	} {
		wantUsage(t, args, "")
	}
	if out, _, code := runCLI(t, "serve", "--help"); code != 0 || !strings.Contains(out, "-database-url") {
		t.Errorf("serve --help: %d %q", code, out)
	}
}

// startCLI runs the test binary as `regfus args...`: a server, whose
// Proc.URL waits for it to listen.
func startCLI(t *testing.T, args ...string) *clitest.Proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	return clitest.Start(t, "regfus "+args[0], cmd, clitest.Serving)
}

// faultScans are multi-page files of testdata/scans: 13 pages in all (a
// batch still open when the graceful-shutdown test stops the server).
var faultScans = []string{"0007-batch-tiff.tif", "0008-batch-pdf.pdf", "0015-batch-tiff.tif", "0016-batch-pdf.pdf", "0023-batch-tiff.tif", "0024-batch-pdf.pdf"}

// uploadScans posts the files of testdata/scans named as one batch and
// returns its id.
func uploadScans(t *testing.T, base, key string, names ...string) int64 {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = scanPath(n)
	}
	return clitest.Upload(t, base, key, paths...)
}

// scanPath is the path of a file of testdata/scans.
func scanPath(name string) string { return filepath.Join("..", "..", "testdata", "scans", name) }

func createKey(t *testing.T, storeArgs ...string) string {
	t.Helper()
	args := append([]string{"keys", "create", "--role", "admin"}, storeArgs...)
	out, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	return strings.TrimSpace(out)
}

// TestServeGracefulShutdown: on SIGTERM the server stops accepting, ends
// open event streams, lets a request in flight finish with its answer,
// and exits cleanly.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	key := createKey(t, "--data", data)
	srv := startCLI(t, "serve", "--addr", "127.0.0.1:0", "--data", data, "--no-ocr", "--workers", "1", "--grace", "20s")
	base := srv.URL()
	id := uploadScans(t, base, key, faultScans...)

	// An event stream of the unfinished batch.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/batches/%d/events", base, id), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("events: %v %v", stream, err)
	}
	streamEnded := make(chan error, 1)
	go func() { _, err := io.ReadAll(stream.Body); streamEnded <- err }()

	// A check in flight when the signal comes.
	body, ctype := clitest.Multipart(t, "file", scanPath("0009-clean.png"))
	creq, _ := http.NewRequest("POST", base+"/v1/check", bytes.NewReader(body))
	creq.Header.Set("Authorization", "Bearer "+key)
	creq.Header.Set("Content-Type", ctype)
	checked := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(creq)
		if err != nil {
			checked <- -1
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		checked <- res.StatusCode
	}()
	// Wait until the server is answering the stream, the check and this
	// metrics request at once.
	deadline := time.Now().Add(time.Minute)
	for inFlight(t, base) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the check never got in flight")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// No bound on how long the shutdown takes: the check in flight may run
	// past the grace period on a loaded machine (and under -race), and the
	// server must still answer it rather than cut it (tests never assert on
	// wall-clock time); srv.Stop fails if the process does not exit.
	if err := srv.Stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if code := <-checked; code != 200 {
		t.Errorf("the check in flight answered %d, want 200", code)
	}
	select {
	case <-streamEnded:
	case <-time.After(5 * time.Second):
		t.Error("the event stream is still open after the server exited")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still accepts connections after exiting")
	}
}

// inFlight reads regfus_http_requests_in_flight from /metrics.
func inFlight(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "regfus_http_requests_in_flight "); ok {
			var n float64
			fmt.Sscan(v, &n)
			return int(n)
		}
	}
	return 0
}

// TestServeTLS: with --tls-cert/--tls-key the service answers HTTPS with
// that certificate, and only HTTPS.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeSelfSigned(t, certFile, keyFile)
	srv := startCLI(t, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--no-ocr", "--workers", "0",
		"--tls-cert", certFile, "--tls-key", keyFile)
	base := "https://" + strings.TrimPrefix(srv.URL(), "http://")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	res, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil {
		t.Fatalf("GET /healthz over TLS: %d, TLS %v", res.StatusCode, res.TLS != nil)
	}
	plain := &http.Client{Timeout: 30 * time.Second}
	if res, err := plain.Get(strings.Replace(base, "https://", "http://", 1) + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Fatal("plain HTTP answered 200 on the TLS listener")
		}
	}
	srv.Stop(syscall.SIGTERM)
}

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its
// key, and returns a pool that trusts it.
func writeSelfSigned(t *testing.T, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "regfus test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
