package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
)

// templates holds one template set per page: the page's own file parsed
// over the shared layout (templates/layout.html), so each page defines
// "title" and "main" without clashing with the others.
type templates struct {
	pages map[string]*template.Template
}

func loadTemplates(cat catalogues) (*templates, error) {
	funcs := template.FuncMap{
		"t":  func(lang, key string, args ...any) string { return cat.t(lang, key, args...) },
		"ta": func(lang, key string, args []any) string { return cat.t(lang, key, args...) },
		// tk is t for a key built from parts (a finding kind, a flag).
		"tk": func(lang string, parts ...string) string {
			k := strings.Join(parts, ".")
			if !cat.has(k) {
				return parts[len(parts)-1]
			}
			return cat.t(lang, k)
		},
		// reason shows a page reason (a page.Reason, or a review item's
		// reason in its text form) with its kind in the page's language;
		// the rest of its text (detail, slots), written by the reader,
		// stays.
		"reason": func(lang string, reason any) string {
			var r page.Reason
			switch v := reason.(type) {
			case page.Reason:
				r = v
			case string:
				r = page.ParseReason(v)
			default:
				return fmt.Sprint(reason)
			}
			text := r.String()
			k := "reason." + string(r.Kind)
			if !cat.has(k) {
				return text
			}
			if rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, string(r.Kind)), ":")); rest != "" {
				return cat.t(lang, k) + ": " + rest
			}
			return cat.t(lang, k)
		},
		"pct": func(n, total int) int {
			if total <= 0 {
				return 0
			}
			return n * 100 / total
		},
		"add":  func(a, b int) int { return a + b },
		"safe": func(s string) template.HTML { return template.HTML(s) }, // only for SVG built by package report
		"when": func(lang string, t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			if lang == "it" {
				return t.Local().Format("02/01/2006 15:04")
			}
			return t.Local().Format("2006-01-02 15:04")
		},
		"pctf":   func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"query":  func(v url.Values) string { return v.Encode() },
		"static": func(name string) string { return "/ui/static/" + name + "?v=" + assetVersion },
	}
	layout, err := fs.ReadFile(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		b, err := fs.ReadFile(assets, f)
		if err != nil {
			return nil, err
		}
		tp, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("ui: templates/layout.html: %w", err)
		}
		if _, err := tp.New(name).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("ui: %s: %w", f, err)
		}
		t.pages[name] = tp
	}
	return t, nil
}

// assetVersion changes when the embedded assets do, so browsers fetch
// new ones after an upgrade.
var assetVersion = func() string {
	var b bytes.Buffer
	fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, err := fs.ReadFile(assets, p); err == nil {
				b.Write(data)
			}
		}
		return nil
	})
	return idHash(b.String())[:10]
}()

// view is what every page template gets.
type view struct {
	L     string      // language
	Langs []string    // the languages of the switch
	Who   *whoView    // nil when signed out
	CSRF  string      // the session's token, for forms
	Path  string      // the request's path and query, for the language switch
	Nav   []navItem   // the caller's menu
	D     interface{} // the page's data
}

type whoView struct {
	Role  auth.Role
	Scope string
	Key   string
}

type navItem struct {
	Href, Key string
	Current   bool
}

// nav is the menu of a role: the pages its key may use.
func (u *UI) nav(rc *reqCtx) []navItem {
	var items []navItem
	add := func(href, key, op string) {
		if u.api.Allows(op, rc.who) {
			items = append(items, navItem{Href: href, Key: key})
		}
	}
	switch rc.who.Scope.Role {
	case auth.Pharmacy:
		add("/ui/check", "nav.check", "check")
		add("/ui/history", "nav.history", "listBatches")
	case auth.Validator:
		add("/ui/reconciliations", "nav.reconciliations", "reconciliations")
		add("/ui/review", "nav.review", "correctReview")
		add("/ui/batches", "nav.batches", "listBatches")
	default: // station, admin
		add("/ui/station", "nav.station", "submitBatch")
		add("/ui/batches", "nav.batches", "listBatches")
		add("/ui/review", "nav.review", "correctReview")
		add("/ui/reconciliations", "nav.reconciliations", "reconciliations")
		add("/ui/check", "nav.check", "check")
	}
	p := rc.Request().URL.Path
	for i := range items {
		items[i].Current = p == items[i].Href || strings.HasPrefix(p, items[i].Href+"/")
	}
	return items
}

// render writes a page.
func (u *UI) render(rc *reqCtx, status int, name string, data any) error {
	tp, ok := u.tmpl.pages[name]
	if !ok {
		return fmt.Errorf("ui: no template %q", name)
	}
	v := view{L: rc.lang, Langs: langs, Path: rc.Request().URL.RequestURI(), D: data}
	if rc.sess != nil {
		v.Who = &whoView{Role: rc.who.Scope.Role, Scope: rc.who.Scope.String(), Key: rc.who.KeyID}
		v.CSRF = rc.sess.csrf
		v.Nav = u.nav(rc)
	}
	var buf bytes.Buffer
	target := "layout"
	if isFragment(rc) && tp.Lookup("fragment") != nil {
		target = "fragment"
	}
	if err := tp.ExecuteTemplate(&buf, target, v); err != nil {
		return fmt.Errorf("ui: rendering %s: %w", name, err)
	}
	return rc.HTMLBlob(status, buf.Bytes())
}

// ok renders a page with 200.
func (u *UI) ok(rc *reqCtx, name string, data any) error {
	return u.render(rc, http.StatusOK, name, data)
}
