package ui

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/regfus/regfus/api"
	"github.com/regfus/regfus/auth"
)

type loginData struct {
	Token string
	Next  string
	Error string
}

// loginForm shows the sign-in form. Someone signed in already goes home.
func (u *UI) loginForm(rc *reqCtx) error {
	if s, who, err := u.sessionOf(rc); err == nil && s != nil {
		return rc.Redirect(http.StatusSeeOther, homeOf(who.Scope.Role))
	}
	tok := randomToken()
	setCookie(rc, loginCookie, tok, 3600)
	return u.ok(rc, "login", loginData{Token: tok, Next: localPath(rc.QueryParam("next"), "")})
}

// login checks the key through the API's Authenticate and opens a
// session. A wrong key shows the form again with the reason (401).
func (u *UI) login(rc *reqCtx) error {
	ck, err := rc.Cookie(loginCookie)
	form := rc.FormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		return errCSRF
	}
	secret := strings.TrimSpace(rc.FormValue("key"))
	next := localPath(rc.FormValue("next"), "")
	who, err := u.api.Authenticate(rc.Request().Context(), secret)
	if err != nil {
		status, _ := api.ErrorStatus(err)
		if status != http.StatusUnauthorized {
			return err
		}
		tok := randomToken()
		setCookie(rc, loginCookie, tok, 3600)
		return u.render(rc, http.StatusUnauthorized, "login", loginData{Token: tok, Next: next, Error: u.cat.t(rc.lang, "login.bad")})
	}
	id := u.sessions.open(auth.Hash(secret))
	setCookie(rc, sessionCookie, id, 0)
	setCookie(rc, loginCookie, "", -1)
	if next == "" || next == "/ui/" {
		next = homeOf(who.Scope.Role)
	}
	return rc.Redirect(http.StatusSeeOther, next)
}

// logout ends the session.
func (u *UI) logout(rc *reqCtx) error {
	if ck, err := rc.Cookie(sessionCookie); err == nil {
		u.sessions.close(ck.Value)
	}
	setCookie(rc, sessionCookie, "", -1)
	return rc.Redirect(http.StatusSeeOther, "/ui/login")
}
