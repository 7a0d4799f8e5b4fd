package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// `regfus serve --tls-cert F --tls-key F` serves HTTPS itself rather than
// only documenting a reverse proxy in front of it: API keys are bearer
// secrets, and scanning stations on an ASL's network talk to the service
// directly, so the one binary must be able to keep keys and scans off the
// wire in clear without another component to install and configure. A
// reverse proxy (nginx, Caddy, a cloud load balancer) still works: leave
// the flags out and listen on loopback, the default address.
//
// certReloader serves the key pair from the two files and reloads it when
// the certificate file changes (checked at most once a second), so a
// renewed certificate (e.g. from an ACME client) is used without a
// restart.
type certReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	modTime time.Time
	checked time.Time
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *certReloader) load() error {
	info, err := os.Stat(r.certFile)
	if err != nil {
		return fmt.Errorf("--tls-cert: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	r.cert, r.modTime = &cert, info.ModTime()
	return nil
}

// getCertificate is tls.Config.GetCertificate. A reload that fails keeps
// the certificate in use (a renewal caught half-written is retried a
// second later).
func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) >= time.Second {
		r.checked = time.Now()
		if info, err := os.Stat(r.certFile); err == nil && !info.ModTime().Equal(r.modTime) {
			old, oldTime := r.cert, r.modTime
			if err := r.load(); err != nil {
				r.cert, r.modTime = old, oldTime
			}
		}
	}
	return r.cert, nil
}

// tlsConfig is the server's TLS configuration: TLS 1.2 and later, with Go's
// default cipher suites.
func (r *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.getCertificate}
}
