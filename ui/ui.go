// Package ui is regfus's web interface, served by `regfus serve` under
// /ui/ next to the REST API, for the three kinds of users: the ASL
// scanning station (uploads, batches, pages, review), the pharmacy
// (self-check of a sheet, its own history) and the regional validator
// (reconciliations, reports, review).
//
// # One permission system
//
// The interface is mounted on the API's server (api.Server.Mount) and
// acts only through the API's domain interfaces (api.Domain): the same
// store queries filtered by the caller's auth.Scope, the same engine calls
// with the caller's api.Principal. Every route names the API operation it
// stands for (Route.Op); the API's rate limit and that operation's roles
// apply to it (api.Server.Admit), so a pharmacy key can do in the browser
// exactly what it can do with curl, and something out of its scope is a
// 404 in both.
//
// # Sessions
//
// Signing in takes an API key once (api.Server.Authenticate) and sets a
// session cookie: HttpOnly, SameSite=Strict, Secure when the request came
// over TLS. The server keeps only sha256 of the session id, and with it
// the key's hash, never the key: every request looks the key up again
// (api.Server.AuthenticateHash), so revoking a key ends its sessions at
// once. A session ends after 12 hours without a request, or at sign-out.
// Sessions live in the server's memory (see Sessions).
//
// # CSRF
//
// Every state-changing request (POST) carries the session's CSRF token, in
// the form field "csrf" or the X-CSRF-Token header (uploads and htmx
// requests); without it, 403. The sign-in form, which has no session yet,
// carries a token that must equal a cookie set with the form (double
// submit). SameSite=Strict cookies already keep other sites' forms out; the
// token is the second lock.
//
// # Pages
//
// Server-rendered html/template pages with htmx (ui/static/htmx.min.js,
// version and sha256 in ui/static/htmx.VERSION) where a part of a page is
// refreshed, and a little plain JavaScript (ui/static/app.js) for what
// must happen in the browser: keyboard review, upload progress, the live
// batch counters (server-sent events) and the self-check's picture. No
// build step: every asset is embedded in the binary. Texts are in Italian
// with an English catalogue (ui/i18n), chosen by a switch or
// Accept-Language.
package ui

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
)

//go:embed static templates i18n
var assets embed.FS

// Config is what the interface is built from.
type Config struct {
	// API is the server the interface is mounted on and acts through.
	API *api.Server
	// Logger receives errors; nil: slog.Default().
	Logger *slog.Logger
	// Sessions keeps the sessions; nil: a new in-memory store with the
	// 12-hour idle expiry.
	Sessions *Sessions
}

// UI is the web interface.
type UI struct {
	api      *api.Server
	dom      api.Domain
	log      *slog.Logger
	sessions *Sessions
	tmpl     *templates
	cat      catalogues
	static   fs.FS
}

// Route is one route of the interface.
type Route struct {
	Method, Path string
	// Op is the API operation whose roles and rate limit apply; "" for a
	// public route (sign-in, assets, language), "session" for one that
	// needs only a session (sign-out, home).
	Op string
	// Timeout is the time-limit class, as the API's x-timeout.
	Timeout string
	handler func(*UI, *reqCtx) error
}

// Public route kinds of Route.Op.
const (
	opPublic  = ""
	opSession = "session"
)

// routes is the route table: every route of the interface, the only place
// one is named.
var routes = []Route{
	{"GET", "/ui", opPublic, "request", (*UI).root},
	{"GET", "/ui/", opSession, "request", (*UI).home},
	{"GET", "/ui/login", opPublic, "request", (*UI).loginForm},
	{"POST", "/ui/login", opPublic, "request", (*UI).login},
	{"POST", "/ui/logout", opSession, "request", (*UI).logout},
	{"GET", "/ui/lang/:lang", opPublic, "request", (*UI).setLang},
	{"GET", "/ui/static/:name", opPublic, "request", (*UI).staticFile},

	{"GET", "/ui/station", "submitBatch", "request", (*UI).station},
	{"POST", "/ui/batches", "submitBatch", "upload", (*UI).upload},
	{"GET", "/ui/batches", "listBatches", "request", (*UI).batches},
	{"GET", "/ui/batches/:id", "getBatch", "request", (*UI).batch},
	{"GET", "/ui/batches/:id/events", "batchEvents", "stream", (*UI).batchEvents},
	{"GET", "/ui/batches/:id/pages", "batchPages", "request", (*UI).batch},
	{"GET", "/ui/pages/:id", "getPage", "request", (*UI).page},
	{"GET", "/ui/pages/:id/image", "pageImage", "upload", (*UI).pageImage},
	{"GET", "/ui/pages/:id/overlay", "pageOverlay", "upload", (*UI).pageOverlay},

	{"GET", "/ui/review", "listReview", "request", (*UI).reviewNext},
	{"GET", "/ui/review/bulk", "listReview", "request", (*UI).bulk},
	{"POST", "/ui/review/bulk", "correctReview", "request", (*UI).bulkAccept},
	{"GET", "/ui/review/:id", "getReview", "request", (*UI).reviewItem},
	{"POST", "/ui/review/:id", "correctReview", "request", (*UI).correct},
	{"POST", "/ui/review/:id/postpone", "getReview", "request", (*UI).postpone},
	{"GET", "/ui/review/:id/crop", "reviewCrop", "upload", (*UI).crop},

	{"GET", "/ui/check", "check", "request", (*UI).checkPage},
	{"POST", "/ui/check", "check", "upload", (*UI).check},
	{"GET", "/ui/history", "listBatches", "request", (*UI).history},

	{"GET", "/ui/reconciliations", "reconciliations", "request", (*UI).reconciliations},
	{"GET", "/ui/reconciliations/:region/:asl/:pharmacy/:month", "reconciliations", "request", (*UI).report},
	{"GET", "/ui/reconciliations/:region/:asl/:pharmacy/:month/:file", "reconciliations", "request", (*UI).download},
}

// Routes lists the route table (for tests and documentation).
func Routes() []Route { return append([]Route(nil), routes...) }

// New builds the interface and mounts its routes on cfg.API.
func New(cfg Config) (*UI, error) {
	if cfg.API == nil {
		return nil, errors.New("ui: Config.API is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sessions == nil {
		cfg.Sessions = NewSessions(DefaultIdle)
	}
	cat, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	t, err := loadTemplates(cat)
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	u := &UI{api: cfg.API, dom: cfg.API.Domain(), log: cfg.Logger, sessions: cfg.Sessions, tmpl: t, cat: cat, static: static}
	for _, r := range routes {
		cfg.API.Mount(r.Method, r.Path, r.Timeout, u.wrap(r))
	}
	return u, nil
}

// reqCtx is one request to the interface.
type reqCtx struct {
	echo.Context
	who  api.Principal
	sess *session // nil on public routes
	lang string
}

// wrap turns a route into an echo handler: language, session, the API's
// admission rules for the route's operation, CSRF on POST, and errors as
// HTML pages.
func (u *UI) wrap(r Route) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if r.Path != "/ui/static/:name" && !strings.HasSuffix(r.Path, "/image") && !strings.HasSuffix(r.Path, "/crop") {
			h.Set(echo.HeaderCacheControl, "no-store")
		}
		// Only this origin's scripts, styles and images: no inline script.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		rc := &reqCtx{Context: c, lang: u.language(c)}
		if err := u.admit(rc, r); err != nil {
			return u.fail(rc, err)
		}
		if err := r.handler(u, rc); err != nil {
			return u.fail(rc, err)
		}
		return nil
	}
}

// Errors of the interface's own checks.
var (
	errSignIn = &uiError{status: http.StatusUnauthorized, msg: "err.signin"}
	errCSRF   = &uiError{status: http.StatusForbidden, msg: "err.csrf"}
)

// uiError is an error whose message is a catalogue key.
type uiError struct {
	status int
	msg    string
	args   []any
}

func (e *uiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func uiErrorf(status int, msg string, args ...any) *uiError {
	return &uiError{status: status, msg: msg, args: args}
}

func (u *UI) admit(rc *reqCtx, r Route) error {
	if r.Op == opPublic {
		return nil
	}
	s, who, err := u.sessionOf(rc)
	if err != nil {
		if errors.Is(err, errNoSession) {
			return errSignIn
		}
		return err
	}
	rc.sess, rc.who = s, who
	if r.Op != opSession {
		if err := u.api.Admit(rc.Context, who, r.Op); err != nil {
			return err
		}
	}
	if r.Method == http.MethodPost && !s.checkCSRF(csrfOf(rc)) {
		return errCSRF
	}
	return nil
}

// csrfOf is the token a request carries. A multipart body is not parsed
// for it (uploads send the header), so the token is checked before a
// large body is read.
func csrfOf(c echo.Context) string {
	if t := c.Request().Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if strings.HasPrefix(ct, echo.MIMEApplicationForm) {
		return c.FormValue("csrf")
	}
	return ""
}

// fail renders an error as a page (or, for an htmx or script request, a
// fragment) with the status the API would give it.
func (u *UI) fail(rc *reqCtx, err error) error {
	var ue *uiError
	status, msg := 0, ""
	if errors.As(err, &ue) {
		status, msg = ue.status, u.cat.t(rc.lang, ue.msg, ue.args...)
	} else {
		status, msg = api.ErrorStatus(err)
	}
	if status >= 500 {
		u.log.Error("ui request failed", "path", rc.Request().URL.Path, "status", status, "error", err.Error())
	}
	if status == http.StatusUnauthorized && rc.Request().Method == http.MethodGet && !isFragment(rc) {
		return rc.Redirect(http.StatusSeeOther, "/ui/login?next="+url.QueryEscape(rc.Request().URL.RequestURI()))
	}
	if rc.Response().Committed {
		return nil
	}
	if isFragment(rc) {
		return rc.String(status, msg)
	}
	return u.render(rc, status, "error", map[string]any{"Status": status, "StatusText": http.StatusText(status), "Message": msg})
}

// isFragment reports whether the request came from htmx or the page's
// scripts, which show a short text rather than a whole page.
func isFragment(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") != "" || c.Request().Header.Get("X-Requested-With") != ""
}

// root sends /ui to /ui/.
func (u *UI) root(rc *reqCtx) error { return rc.Redirect(http.StatusSeeOther, "/ui/") }

// homeOf is each role's first page.
func homeOf(r auth.Role) string {
	switch r {
	case auth.Station:
		return "/ui/station"
	case auth.Pharmacy:
		return "/ui/check"
	case auth.Validator:
		return "/ui/reconciliations"
	default:
		return "/ui/review"
	}
}

// home sends each role to its home page.
func (u *UI) home(rc *reqCtx) error {
	return rc.Redirect(http.StatusSeeOther, homeOf(rc.who.Scope.Role))
}

// staticFile serves an embedded asset. Assets change only with the
// binary; the version query the pages add (assetVersion) busts caches.
func (u *UI) staticFile(rc *reqCtx) error {
	name := rc.Param("name")
	b, err := fs.ReadFile(u.static, name)
	if err != nil || strings.Contains(name, "/") {
		return uiErrorf(http.StatusNotFound, "err.notfound")
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".js"):
		ct = "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ct = "image/svg+xml"
	case strings.HasSuffix(name, "LICENSE") || strings.HasSuffix(name, "VERSION"):
		ct = "text/plain; charset=utf-8"
	}
	rc.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=86400")
	return rc.Blob(http.StatusOK, ct, b)
}

// now is the clock (tests do not change it; it names the dependency).
var now = time.Now

// Sessions returns the interface's session store.
func (u *UI) Sessions() *Sessions { return u.sessions }
