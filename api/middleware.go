package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
)

// Context keys of the values middleware hands to handlers.
const (
	ctxRequestID = "regfus.request_id"
	ctxPrincipal = "regfus.principal"
)

// requestIDMiddleware gives every request an id: the client's X-Request-ID
// when it is a sane token (so a client can correlate), else a random one.
// It is echoed in the response header and in every error body and log line.
func (s *Server) requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false
		}
	}
	return true
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

func principalOf(c echo.Context) (Principal, bool) {
	p, ok := c.Get(ctxPrincipal).(Principal)
	return p, ok
}

// mustPrincipal returns the caller of an authenticated route.
func mustPrincipal(c echo.Context) Principal {
	p, ok := principalOf(c)
	if !ok {
		panic("api: handler of an authenticated route called without a principal")
	}
	return p
}

// observeMiddleware is the outermost: it turns a returned error into its
// response right away (so the status is known), then counts the request
// and logs one line for it.
func (s *Server) observeMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := c.Path()
		if !s.metrics.known[route] {
			route = "unmatched"
		}
		status := c.Response().Status
		d := time.Since(start)
		s.metrics.observe(route, c.Request().Method, status, d)
		attrs := []any{"request_id", requestID(c), "method", c.Request().Method, "route", route,
			"status", status, "ms", d.Milliseconds(), "bytes", c.Response().Size}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, "key", p.KeyID)
		}
		s.log.Info("request", attrs...)
		return nil
	}
}

// recoverMiddleware turns a panic into a 500 with the stack in the log.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = wrap(http.StatusInternalServerError, fmt.Errorf("panic: %v\n%s", r, debug.Stack()), "internal error")
			}
		}()
		return next(c)
	}
}

// routeMiddleware is the chain one Operation's x- extensions ask for, in
// order: time limit, then (for a non-public Operation) key, rate limit and
// role, then (for one with a body) media type and size.
func (s *Server) routeMiddleware(op Operation) []echo.MiddlewareFunc {
	mw := []echo.MiddlewareFunc{s.timeoutMiddleware(op)}
	if op.Roles != nil {
		mw = append(mw, s.authMiddleware, s.rateMiddleware, s.roleMiddleware(op))
	}
	if op.MediaTypes != nil {
		mw = append(mw, s.bodyMiddleware(op))
	}
	return mw
}

// timeoutMiddleware bounds the request's context. Handlers pass the context
// down to the store and the pipeline, which stop when it ends; the error
// they return then is a 503.
func (s *Server) timeoutMiddleware(op Operation) echo.MiddlewareFunc {
	d := s.cfg.Timeouts.Request
	switch op.Timeout {
	case "upload":
		d = s.cfg.Timeouts.Upload
	case "stream":
		d = s.cfg.Timeouts.Stream
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			orig := c.Request()
			ctx, cancel := context.WithTimeout(orig.Context(), d)
			// The error handler runs after this returns: it must see the
			// request's own context (cancelled only if the client left),
			// not this one, which the deferred cancel ends.
			defer func() { cancel(); c.SetRequest(orig) }()
			c.SetRequest(orig.WithContext(ctx))
			// The body must arrive within the route's limit too: the
			// server's own read timeout is the longest route's (uploads),
			// and a client trickling a body to a 30 s route must not hold
			// the connection for ten minutes. Reads past the deadline fail,
			// which the handler reports as over the time limit.
			http.NewResponseController(c.Response().Writer).SetReadDeadline(time.Now().Add(d))
			return next(c)
		}
	}
}

// MaxHeaderBytes is the most header bytes (names and values) a request may
// carry; over it the answer is a JSON 431. The HTTP server's own limit
// (http.Server.MaxHeaderBytes, set above this by `regfus serve`) is what
// stops a client before the service sees the request, with the standard
// library's plain-text 431.
const MaxHeaderBytes = 64 << 10

// ServerMaxHeaderBytes is the http.Server.MaxHeaderBytes to run the
// service with: well above MaxHeaderBytes, so oversized headers get the
// JSON 431 up to this size.
const ServerMaxHeaderBytes = 4 << 20

// headerLimitMiddleware refuses requests whose headers are over
// MaxHeaderBytes (431, in the JSON error shape).
func (s *Server) headerLimitMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		n := 0
		for k, vs := range c.Request().Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			return errorf(http.StatusRequestHeaderFieldsTooLarge, "request headers of %d bytes are over the limit of %d bytes", n, MaxHeaderBytes)
		}
		return next(c)
	}
}

// securityHeaders sets the headers every answer carries: no content
// sniffing (a stored upload is never run as HTML or script), no framing,
// no referrer, and a content security policy that allows nothing (the
// API serves data, not pages; a handler serving pages, such as a web
// interface, sets its own policy). Data is never stored by caches: it is
// personal and scoped to the key that asked (Cache-Control: no-store on
// everything under /v1/).
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		if strings.HasPrefix(c.Request().URL.Path, "/v1/") {
			h.Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}

// authMiddleware finds the caller's key: Authorization: Bearer <secret>,
// looked up by its sha256. A malformed secret is refused before any
// database access; an unknown or revoked key is 401; a store that does not
// answer is 503 (the caller is not at fault).
func (s *Server) authMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return errorf(http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return errorf(http.StatusUnauthorized, "Authorization must be Bearer <key>")
		}
		p, err := s.Authenticate(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, p)
		return next(c)
	}
}

// Authenticate finds the key of a secret: malformed is refused before any
// database access, unknown or revoked is 401, a store that does not answer
// is 503 (the caller is not at fault). authMiddleware and the web
// interface's sign-in and sessions (package ui) both call it, so a key
// means the same everywhere.
func (s *Server) Authenticate(ctx context.Context, secret string) (Principal, error) {
	secret = strings.TrimSpace(secret)
	if err := auth.CheckSecret(secret); err != nil {
		return Principal{}, wrap(http.StatusUnauthorized, err, "malformed API key")
	}
	return s.AuthenticateHash(ctx, auth.Hash(secret))
}

// AuthenticateHash is Authenticate for a key known by its hash (a web
// session keeps the hash, never the secret): the key is looked up again on
// every request, so a revocation ends its sessions at once.
func (s *Server) AuthenticateHash(ctx context.Context, hash []byte) (Principal, error) {
	k, err := s.cfg.Store.LookupKey(ctx, hash)
	switch {
	case errors.Is(err, store.ErrRevoked):
		return Principal{}, wrap(http.StatusUnauthorized, err, "API key revoked")
	case errors.Is(err, store.ErrNotFound):
		return Principal{}, wrap(http.StatusUnauthorized, err, "unknown API key")
	case err != nil:
		return Principal{}, wrap(http.StatusServiceUnavailable, err, "cannot check the API key now: the store is not answering")
	}
	return Principal{KeyID: k.ID, Scope: k.Scope}, nil
}

// rateMiddleware applies the per-key token bucket.
func (s *Server) rateMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if wait, ok := s.limiter.allow(mustPrincipal(c).KeyID, time.Now()); !ok {
			return &httpError{Status: http.StatusTooManyRequests, Msg: "too many requests with this key: slow down", RetryAfter: wait}
		}
		return next(c)
	}
}

// roleMiddleware refuses a key whose role the Operation does not list.
func (s *Server) roleMiddleware(op Operation) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := mustPrincipal(c)
			if !op.allows(p.Scope.Role) {
				return errorf(http.StatusForbidden, "role %s may not %s %s", p.Scope.Role, op.Method, op.Path)
			}
			return next(c)
		}
	}
}

// bodyMiddleware checks the Content-Type against the Operation's request
// media types (415) and caps the body at its class's limit (413): at once
// when Content-Length says so, else when reading crosses it.
func (s *Server) bodyMiddleware(op Operation) echo.MiddlewareFunc {
	limit := s.bodyLimit(op.Body)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			ct := req.Header.Get(echo.HeaderContentType)
			mt, _, err := mime.ParseMediaType(ct)
			if ct == "" || err != nil || !contains(op.MediaTypes, mt) {
				if ct == "" {
					ct = "none"
				}
				return errorf(http.StatusUnsupportedMediaType, "Content-Type %s not accepted here: want %s", ct, strings.Join(op.MediaTypes, " or "))
			}
			if req.ContentLength > limit {
				return errorf(http.StatusRequestEntityTooLarge, "request body of %d bytes is over the limit of %d bytes", req.ContentLength, limit)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			return next(c)
		}
	}
}

func (s *Server) bodyLimit(class string) int64 {
	switch class {
	case "upload":
		return s.cfg.Limits.Upload
	case "check":
		return s.cfg.Limits.Check
	case "import":
		return s.cfg.Limits.Import
	}
	return s.cfg.Limits.JSON
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compressMiddleware gzips the documents the API answers with (JSON, CSV,
// HTML, YAML) for clients that accept it, from 1 KiB up: a region's
// reconciliation listing or a large pharmacy group's full report runs to
// hundreds of kilobytes of repetitive JSON, which gzip shrinks about
// tenfold. Left alone: images (PNG and JPEG are compressed already), the
// event stream (each event must leave when it is written) and /metrics
// (Prometheus's handler negotiates its own compression).
func compressMiddleware() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     5,
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			p := c.Path()
			for _, suffix := range []string{"/events", "/image", "/overlay", "/crop", "/metrics"} {
				if strings.HasSuffix(p, suffix) {
					return true
				}
			}
			return false
		},
	})
}
