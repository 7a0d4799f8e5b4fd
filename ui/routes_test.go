package ui_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/regfus/regfus/internal/clitest"
	"github.com/regfus/regfus/ui"
)

// client is a browser without a browser: a cookie jar, redirects not
// followed, and the session's CSRF token once signed in.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: e.url, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfBody  = regexp.MustCompile(`data-csrf="([^"]+)"`)
)

// do makes a request; hdr may set headers.
func (c *client) do(method, path string, body []byte, ctype string, hdr ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// form posts a url-encoded form.
func (c *client) form(path string, v url.Values) (*http.Response, string) {
	c.t.Helper()
	return c.do("POST", path, []byte(v.Encode()), "application/x-www-form-urlencoded")
}

// signIn signs in with key through the form and keeps the CSRF token.
func (c *client) signIn(key string) *http.Response {
	c.t.Helper()
	_, page := c.do("GET", "/ui/login", nil, "")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no CSRF token in the sign-in form:\n%s", page)
	}
	resp, _ := c.form("/ui/login", url.Values{"csrf": {m[1]}, "key": {key}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	_, home := c.do("GET", resp.Header.Get("Location"), nil, "")
	if m := csrfBody.FindStringSubmatch(home); m != nil {
		c.csrf = m[1]
	}
	return resp
}

// TestRoutes requests every route of the route table, as the role it is
// for and signed out, and fails for a route no case requests.
func TestRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	stationKey, validatorKey, pharmacyKey := e.key(stationScope), e.key(validatorScope), e.key(pharmacyScope)
	batch := e.upload(stationKey, scanClean)
	e.importMonth(validatorKey, scanClean)
	page := e.pagesOf(stationKey, batch)[0].ID
	items := e.reviewItems(stationKey, "open")
	if len(items) < 3 {
		t.Fatalf("%d review items, want 3 or more", len(items))
	}
	clients := map[string]*client{"": e.client(), "station": e.client(), "validator": e.client(), "pharmacy": e.client()}
	for who, key := range map[string]string{"station": stationKey, "validator": validatorKey, "pharmacy": pharmacyKey} {
		clients[who].signIn(key)
	}
	upload, uploadType := clitest.Multipart(t, "files", scanPath(scanOther))
	check, checkType := clitest.Multipart(t, "file", scanPath(scanClean))
	report := "/ui/reconciliations/120/202/93161/2025-06"
	type tc struct {
		method, path, who string
		body              []byte
		ctype             string
		want              int
		wantLoc           string // prefix of Location, for redirects
		hdr               []string
	}
	form := func(v url.Values) []byte { return []byte(v.Encode()) }
	const formType = "application/x-www-form-urlencoded"
	cases := []tc{
		{method: "GET", path: "/ui", want: 303, wantLoc: "/ui/"},
		{method: "GET", path: "/ui/", who: "station", want: 303, wantLoc: "/ui/station"},
		{method: "GET", path: "/ui/", who: "validator", want: 303, wantLoc: "/ui/reconciliations"},
		{method: "GET", path: "/ui/", who: "pharmacy", want: 303, wantLoc: "/ui/check"},
		{method: "GET", path: "/ui/", want: 303, wantLoc: "/ui/login?next="},
		{method: "GET", path: "/ui/login", want: 200},
		{method: "GET", path: "/ui/login", who: "station", want: 303, wantLoc: "/ui/station"},
		{method: "POST", path: "/ui/login", body: form(url.Values{"key": {stationKey}}), ctype: formType, want: 403},
		{method: "GET", path: "/ui/lang/en?next=/ui/login", want: 303, wantLoc: "/ui/login"},
		{method: "GET", path: "/ui/lang/en?next=https://evil.example/", want: 303, wantLoc: "/ui/"},
		{method: "GET", path: "/ui/lang/xx", want: 404},
		{method: "GET", path: "/ui/static/htmx.min.js", want: 200},
		{method: "GET", path: "/ui/static/nothing.js", want: 404},
		{method: "GET", path: "/ui/station", who: "station", want: 200},
		{method: "GET", path: "/ui/station", who: "validator", want: 403},
		{method: "GET", path: "/ui/station", want: 303, wantLoc: "/ui/login?next=%2Fui%2Fstation"},
		{method: "POST", path: "/ui/batches", who: "station", body: upload, ctype: uploadType, want: 202, hdr: []string{"X-Requested-With", "XMLHttpRequest"}},
		{method: "POST", path: "/ui/batches", who: "station", body: upload, ctype: uploadType, want: 303, wantLoc: "/ui/batches/"},
		{method: "POST", path: "/ui/batches", who: "station", body: upload, ctype: uploadType, want: 403, hdr: []string{"X-CSRF-Token", ""}},
		{method: "POST", path: "/ui/batches", who: "validator", body: upload, ctype: uploadType, want: 403},
		{method: "POST", path: "/ui/batches", body: upload, ctype: uploadType, want: 401},
		{method: "GET", path: "/ui/batches", who: "station", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/batches/%d", batch), who: "station", want: 200},
		{method: "GET", path: "/ui/batches/999999", who: "station", want: 404},
		{method: "GET", path: "/ui/batches/x", who: "station", want: 404},
		{method: "GET", path: fmt.Sprintf("/ui/batches/%d/events", batch), who: "station", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/batches/%d/pages", batch), who: "station", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/pages/%d", page), who: "station", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/pages/%d", page), who: "pharmacy", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/pages/%d/image", page), who: "validator", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/pages/%d/overlay", page), who: "station", want: 200},
		{method: "GET", path: "/ui/review", who: "station", want: 303, wantLoc: "/ui/review/"},
		{method: "GET", path: "/ui/review/bulk", who: "station", want: 200},
		{method: "POST", path: "/ui/review/bulk", who: "station", body: form(url.Values{"id": {fmt.Sprint(items[2].ID)}}), ctype: formType, want: 303, wantLoc: "/ui/review/bulk"},
		{method: "POST", path: "/ui/review/bulk", who: "pharmacy", body: form(url.Values{"id": {fmt.Sprint(items[2].ID)}}), ctype: formType, want: 403},
		{method: "GET", path: fmt.Sprintf("/ui/review/%d", items[0].ID), who: "station", want: 200},
		{method: "GET", path: fmt.Sprintf("/ui/review/%d", items[0].ID), who: "pharmacy", want: 200},
		{method: "POST", path: fmt.Sprintf("/ui/review/%d", items[0].ID), who: "pharmacy", body: form(url.Values{"value": {""}}), ctype: formType, want: 403},
		{method: "POST", path: fmt.Sprintf("/ui/review/%d", items[0].ID), who: "station", body: form(url.Values{"value": {""}}), ctype: formType, want: 303, wantLoc: "/ui/review"},
		{method: "POST", path: fmt.Sprintf("/ui/review/%d/postpone", items[1].ID), who: "station", body: form(nil), ctype: formType, want: 303, wantLoc: "/ui/review"},
		{method: "GET", path: fmt.Sprintf("/ui/review/%d/crop", items[1].ID), who: "station", want: 200},
		{method: "GET", path: "/ui/check", who: "pharmacy", want: 200},
		{method: "POST", path: "/ui/check", who: "pharmacy", body: check, ctype: checkType, want: 200, hdr: []string{"HX-Request", "true"}},
		{method: "GET", path: "/ui/history", who: "pharmacy", want: 200},
		{method: "GET", path: "/ui/reconciliations", who: "validator", want: 200},
		{method: "GET", path: "/ui/reconciliations?asl=2", who: "validator", want: 400},
		{method: "GET", path: report, who: "validator", want: 200},
		{method: "GET", path: report, who: "pharmacy", want: 200},
		{method: "GET", path: "/ui/reconciliations/120/202/93364/2025-06", who: "validator", want: 404},
		{method: "GET", path: report + "/findings.csv", who: "validator", want: 200},
		{method: "GET", path: report + "/payable.csv", who: "pharmacy", want: 200},
		{method: "GET", path: report + "/report.json", who: "validator", want: 200},
		{method: "GET", path: report + "/other.txt", who: "validator", want: 404},
		{method: "POST", path: "/ui/logout", who: "station", body: form(nil), ctype: formType, want: 303, wantLoc: "/ui/login"},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		cl := clients[c.who]
		hdr := c.hdr
		if c.method == "POST" && cl.csrf != "" {
			if c.ctype == formType {
				v, _ := url.ParseQuery(string(c.body))
				v.Set("csrf", cl.csrf)
				c.body = []byte(v.Encode())
			}
			hdr = append([]string{"X-CSRF-Token", cl.csrf}, hdr...)
		}
		resp, body := cl.do(c.method, c.path, c.body, c.ctype, hdr...)
		if resp.StatusCode != c.want || !strings.HasPrefix(resp.Header.Get("Location"), c.wantLoc) {
			if len(body) > 300 {
				body = body[:300]
			}
			t.Errorf("%s %s as %q: %d (Location %q), want %d (%q): %s", c.method, c.path, c.who, resp.StatusCode, resp.Header.Get("Location"), c.want, c.wantLoc, body)
		}
		if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%s %s: CSP %q", c.method, c.path, csp)
			}
		}
		p := c.path
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		for _, r := range ui.Routes() {
			if r.Method == c.method && routeRE(r.Path).MatchString(p) && mostSpecific(r.Path, p) {
				covered[r.Method+" "+r.Path] = true
			}
		}
	}
	for _, r := range ui.Routes() {
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no test case", r.Method, r.Path)
		}
	}
}

// routeRE matches the paths of an echo route.
func routeRE(path string) *regexp.Regexp {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = `[^/]+`
		} else {
			parts[i] = regexp.QuoteMeta(p)
		}
	}
	return regexp.MustCompile("^" + strings.Join(parts, "/") + "$")
}

// mostSpecific: a static route wins over a parameter (echo's rule), so
// /ui/review/bulk is not also /ui/review/:id.
func mostSpecific(route, path string) bool {
	for _, r := range ui.Routes() {
		if r.Path != route && !strings.Contains(r.Path, ":") && r.Path == path {
			return false
		}
	}
	return true
}

// TestSessionSecurity: the cookie's attributes over plain HTTP and TLS,
// a revoked key ends its sessions at once, and sign-out ends the session
// on the server (the old cookie is useless).
func TestSessionSecurity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.key(stationScope)
	c := e.client()
	resp := c.signIn(key)
	var ck *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "regfus_session" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != "/ui" {
		t.Fatalf("session cookie over HTTP: %+v", ck)
	}
	// Over TLS the cookie is Secure.
	ts := httptest.NewUnstartedServer(e.srv)
	ts.StartTLS()
	defer ts.Close()
	tc := &client{t: t, base: ts.URL, c: ts.Client()}
	jar, _ := cookiejar.New(nil)
	tc.c.Jar = jar
	tc.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tc.c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	resp = tc.signIn(key)
	secure := false
	for _, x := range resp.Cookies() {
		if x.Name == "regfus_session" {
			secure = x.Secure && x.HttpOnly && x.SameSite == http.SameSiteStrictMode
		}
	}
	if !secure {
		t.Errorf("session cookie over TLS: %v", resp.Header.Values("Set-Cookie"))
	}

	// Sign-out ends the session on the server: replaying the old cookie
	// is signed out.
	old := e.client()
	old.c.Jar.SetCookies(mustURL(e.url+"/ui/"), []*http.Cookie{{Name: "regfus_session", Value: ck.Value, Path: "/ui"}})
	if r, _ := old.do("GET", "/ui/station", nil, ""); r.StatusCode != 200 {
		t.Fatalf("the session cookie alone: %d", r.StatusCode)
	}
	c.form("/ui/logout", url.Values{"csrf": {c.csrf}})
	if r, _ := old.do("GET", "/ui/station", nil, ""); r.StatusCode != 303 {
		t.Errorf("a signed-out session's cookie still opens /ui/station: %d", r.StatusCode)
	}

	// Revocation ends a session at once.
	c2 := e.client()
	key2 := e.key(stationScope)
	c2.signIn(key2)
	keys, err := e.store.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeKey(context.Background(), keys[len(keys)-1].ID); err != nil {
		t.Fatal(err)
	}
	if r, _ := c2.do("GET", "/ui/station", nil, ""); r.StatusCode != 303 {
		t.Errorf("session of a revoked key: %d, want 303 to the sign-in form", r.StatusCode)
	}
	// A wrong or revoked key at sign-in is 401 with the form again.
	_, page := c2.do("GET", "/ui/login", nil, "")
	m := csrfField.FindStringSubmatch(page)
	if r, _ := c2.form("/ui/login", url.Values{"csrf": {m[1]}, "key": {key2}}); r.StatusCode != 401 {
		t.Errorf("sign-in with a revoked key: %d, want 401", r.StatusCode)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestLanguage: Italian by default, English from Accept-Language or the
// switch, which wins over the header.
func TestLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for _, x := range []struct{ accept, want string }{
		{"", `<html lang="it">`}, {"en-GB,en;q=0.9", `<html lang="en">`}, {"de-DE,de;q=0.9,it;q=0.5", `<html lang="it">`}, {"fr", `<html lang="it">`},
	} {
		_, body := c.do("GET", "/ui/login", nil, "", "Accept-Language", x.accept)
		if !strings.Contains(body, x.want) {
			t.Errorf("Accept-Language %q: want %s", x.accept, x.want)
		}
	}
	c.do("GET", "/ui/lang/en", nil, "")
	_, body := c.do("GET", "/ui/login", nil, "", "Accept-Language", "it")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
		t.Error("the switch to English does not win over Accept-Language: it")
	}
}

// TestReconciliationPaging: the validator's listing pages through 30
// pharmacies 25 at a time, and the filters select.
func TestReconciliationPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator := e.key(validatorScope)
	var csv strings.Builder
	csv.WriteString("region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&csv, "120,202,%05d,2025-06,REGFUS,1,0,0\n", 10000+i)
	}
	if st, body := e.apiDo("POST", "/v1/declarations", validator, []byte(csv.String()), "text/csv"); st != 200 {
		t.Fatalf("declarations: %d %s", st, body)
	}
	c := e.client()
	c.signIn(validator)
	rows := regexp.MustCompile(`<a href="/ui/reconciliations/120/202/(\d{5})/2025-06">`)
	next := regexp.MustCompile(`href="(/ui/reconciliations\?[^"]*cursor=[^"]*)" id="next-page"`)
	seen := map[string]bool{}
	path := "/ui/reconciliations?month=2025-06"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		resp, body := c.do("GET", strings.ReplaceAll(path, "&amp;", "&"), nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		ms := rows.FindAllStringSubmatch(body, -1)
		if want := 25; pages == 0 && len(ms) != want {
			t.Errorf("first page: %d rows, want %d", len(ms), want)
		}
		for _, m := range ms {
			if seen[m[1]] {
				t.Errorf("pharmacy %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := next.FindStringSubmatch(body); m != nil {
			path = m[1]
			if pages > 0 && !strings.Contains(body, `id="first-page"`) {
				t.Error("a later page has no link to the first")
			}
		}
	}
	if len(seen) != 30 {
		t.Errorf("%d pharmacies over the pages, want 30", len(seen))
	}
	_, body := c.do("GET", "/ui/reconciliations?pharmacy=10003", nil, "")
	if ms := rows.FindAllStringSubmatch(body, -1); len(ms) != 1 || ms[0][1] != "10003" {
		t.Errorf("filter pharmacy=10003: %d rows", len(ms))
	}
	_, body = c.do("GET", "/ui/reconciliations?month=2025-07", nil, "")
	if ms := rows.FindAllStringSubmatch(body, -1); len(ms) != 0 {
		t.Errorf("filter month=2025-07: %d rows", len(ms))
	}
}
