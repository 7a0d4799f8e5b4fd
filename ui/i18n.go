package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// The interface speaks Italian, its users' language, and English. Each
// language is one catalogue, ui/i18n/LANG.json: a flat object from message
// key to text, with fmt verbs where values go. Both catalogues have the
// same keys (a test checks it, and that every key the templates and the
// code use exists).

// langs are the languages offered, the default first.
var langs = []string{"it", "en"}

var langMatcher = language.NewMatcher([]language.Tag{language.Italian, language.English})

type catalogues map[string]map[string]string

func loadCatalogues() (catalogues, error) {
	c := catalogues{}
	for _, l := range langs {
		b, err := fs.ReadFile(assets, "i18n/"+l+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("ui: i18n/%s.json: %w", l, err)
		}
		c[l] = m
	}
	return c, nil
}

// t is the text of key in lang, with args put in. A key missing from the
// catalogue shows as itself, so a gap is visible rather than blank.
func (c catalogues) t(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		s, ok = c[langs[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// has reports whether key is in the catalogues.
func (c catalogues) has(key string) bool {
	_, ok := c[langs[0]][key]
	return ok
}

// keys lists a catalogue's keys, sorted.
func (c catalogues) keys(lang string) []string {
	var out []string
	for k := range c[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// language is the request's language: the switch's cookie, else the best
// match of Accept-Language, else Italian.
func (u *UI) language(c interface {
	Cookie(string) (*http.Cookie, error)
	Request() *http.Request
}) string {
	if ck, err := c.Cookie(langCookie); err == nil {
		for _, l := range langs {
			if ck.Value == l {
				return l
			}
		}
	}
	if al := c.Request().Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := langMatcher.Match(tags...)
			if conf != language.No {
				return langs[i]
			}
		}
	}
	return langs[0]
}

// setLang is the language switch: it remembers the choice for a year and
// goes back to the page it was clicked on.
func (u *UI) setLang(rc *reqCtx) error {
	l := rc.Param("lang")
	ok := false
	for _, x := range langs {
		ok = ok || x == l
	}
	if !ok {
		return uiErrorf(http.StatusNotFound, "err.notfound")
	}
	setCookie(rc, langCookie, l, 365*24*3600)
	return rc.Redirect(http.StatusSeeOther, localPath(rc.QueryParam("next"), "/ui/"))
}

// localPath keeps a redirect target inside the interface: an absolute
// path under /ui, never another host (no open redirect).
func localPath(next, def string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/ui") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return def
	}
	return u.RequestURI()
}
