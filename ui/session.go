package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/api"
)

// DefaultIdle is how long a session lasts without a request.
const DefaultIdle = 12 * time.Hour

// Cookie names.
const (
	sessionCookie = "regfus_session"
	loginCookie   = "regfus_login" // the sign-in form's CSRF token
	langCookie    = "regfus_lang"
)

// Sessions keeps the signed-in sessions, by sha256 of the session id: a
// copy of the table (a memory dump, a debug listing) does not let anyone
// take over a session. A session holds the hash of the API key it was
// opened with, never the key, and its CSRF token.
//
// Sessions live in the memory of one `regfus serve` process: a restart
// signs everyone out (they sign in again with their key), and several
// replicas behind a load balancer need sticky sessions.
type Sessions struct {
	idle time.Duration
	mu   sync.Mutex
	m    map[string]*session // by hex sha256 of the id
}

// session is one signed-in browser.
type session struct {
	keyHash  []byte
	csrf     string
	mu       sync.Mutex
	lastSeen time.Time
	// postponed review items, in the order they were put off: the queue
	// shows them after every other item.
	postponed []int64
	// flash is what the last correction did, shown once on the next page.
	flash *flash
}

// NewSessions makes an empty store whose sessions end after idle without
// a request.
func NewSessions(idle time.Duration) *Sessions {
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &Sessions{idle: idle, m: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func idHash(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// open starts a session for a key and returns its id (the cookie value).
func (ss *Sessions) open(keyHash []byte) string {
	id := randomToken()
	s := &session{keyHash: append([]byte(nil), keyHash...), csrf: randomToken(), lastSeen: now()}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked()
	ss.m[idHash(id)] = s
	return id
}

// get returns the live session of an id and marks it used.
func (ss *Sessions) get(id string) (*session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	h := idHash(id)
	s, ok := ss.m[h]
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := now()
	if t.Sub(s.lastSeen) > ss.idle {
		delete(ss.m, h)
		return nil, false
	}
	s.lastSeen = t
	return s, true
}

// close ends a session.
func (ss *Sessions) close(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, idHash(id))
}

// Len counts the sessions held (expired ones until they are swept).
func (ss *Sessions) Len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.m)
}

// sweepLocked drops expired sessions; called when one is opened, so the
// table is bounded by the sign-ins of one idle period.
func (ss *Sessions) sweepLocked() {
	t := now()
	for h, s := range ss.m {
		s.mu.Lock()
		old := t.Sub(s.lastSeen) > ss.idle
		s.mu.Unlock()
		if old {
			delete(ss.m, h)
		}
	}
}

func (s *session) checkCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

func (s *session) postpone(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postponed = slices.DeleteFunc(s.postponed, func(x int64) bool { return x == id })
	s.postponed = append(s.postponed, id)
}

// postponedRank is the position of an item among the postponed (-1: not
// postponed).
func (s *session) postponedRank() map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[int64]int, len(s.postponed))
	for i, id := range s.postponed {
		m[id] = i
	}
	return m
}

var errNoSession = errors.New("no session")

// sessionOf finds the request's session and the key's current principal.
// A revoked or deleted key ends the session.
func (u *UI) sessionOf(rc *reqCtx) (*session, api.Principal, error) {
	ck, err := rc.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, api.Principal{}, errNoSession
	}
	s, ok := u.sessions.get(ck.Value)
	if !ok {
		return nil, api.Principal{}, errNoSession
	}
	who, err := u.api.AuthenticateHash(rc.Request().Context(), s.keyHash)
	if err != nil {
		if st, _ := api.ErrorStatus(err); st == http.StatusUnauthorized {
			u.sessions.close(ck.Value)
			return nil, api.Principal{}, errNoSession
		}
		return nil, api.Principal{}, err
	}
	return s, who, nil
}

// setCookie sets an HttpOnly, SameSite=Strict cookie for /ui, Secure when
// the request came over TLS (directly, or through a proxy that says so).
func setCookie(c echo.Context, name, value string, maxAge int) {
	r := c.Request()
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: "/ui", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	})
}

func (s *session) setFlash(f *flash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flash = f
}

func (s *session) takeFlash() *flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// isStatus reports whether the API would answer err with status.
func isStatus(err error, status int) bool {
	st, _ := api.ErrorStatus(err)
	return st == status
}

// apiMessage is the status and client-safe message of an API error.
func apiMessage(err error) (int, string) { return api.ErrorStatus(err) }
