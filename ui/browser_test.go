package ui_test

// Browser tests: Debian's chromium (installed by scripts/setup), headless,
// driven by chromedp against the running service. They never skip: a
// machine without /usr/bin/chromium fails them. When a step fails, the
// page is saved as a PNG (UI_FAILURE_DIR, default the system temporary
// directory) and its path logged. With UI_SCREENSHOTS=DIR the tests also
// save the screenshots of docs/ui/ there (`make screenshots`).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/sheet"
)

const chromium = "/usr/bin/chromium"

// browser is one headless chromium with a fresh profile.
type browser struct {
	t   *testing.T
	e   *env
	ctx context.Context
}

// shared is the one chromium of the test binary: each test opens a tab
// in a browser context of its own (separate cookies and storage, like a
// new profile), which saves starting a browser per test.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	shared.once.Do(func() {
		if _, err := os.Stat(chromium); err != nil {
			shared.err = fmt.Errorf("%s is needed for the browser tests (scripts/setup installs it): %v", chromium, err)
			return
		}
		dir, err := os.MkdirTemp("", "regfus-ui-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium),
			chromedp.UserDataDir(dir), // a fresh profile
			chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("hide-scrollbars", true),
		)
		if os.Geteuid() == 0 {
			opts = append(opts, chromedp.NoSandbox)
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelC := chromedp.NewContext(actx)
		shared.ctx, shared.cancel = ctx, func() { cancelC(); cancelA() }
		// Start the browser on this long-lived context: a browser started
		// under a step's time limit would end with that step.
		if err := chromedp.Do(ctx); err != nil {
			shared.err = fmt.Errorf("starting %s: %v", chromium, err)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.ctx
}

func newBrowser(t *testing.T, e *env, width, height int) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(sharedBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &browser{t: t, e: e, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	// At the size asked for, in Italian whatever the machine's locale
	// (the tests read the Italian texts).
	b.run(chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate(e.url+"/ui/lang/it"))
	return b
}

// waitLimit is how long a test waits for the service: until shortly
// before go test's own deadline (reading pages under the race detector on
// a busy machine takes minutes), at most 10 minutes.
func waitLimit(t *testing.T) time.Time {
	limit := time.Now().Add(10 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(limit) {
		limit = d.Add(-30 * time.Second)
	}
	return limit
}

// run runs actions; on failure it saves a screenshot and fails the test.
func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithDeadline(b.ctx, waitLimit(b.t))
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail("%v", err)
	}
}

// get runs an action that answers a value.
func get[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithDeadline(b.ctx, waitLimit(b.t))
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail("%v", err)
	}
	return v
}

// fail saves what the browser shows and fails the test.
func (b *browser) fail(format string, a ...any) {
	b.t.Helper()
	dir := os.Getenv("UI_FAILURE_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	name := filepath.Join(dir, "regfus-ui-"+strings.ReplaceAll(b.t.Name(), "/", "_")+".png")
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
		if os.WriteFile(name, png, 0o644) == nil {
			b.t.Logf("screenshot of the failure (%s): %s", url, name)
		}
	}
	b.t.Fatalf(format, a...)
}

// a11yJS lists what on the page falls short of WCAG 2 AA in ways a
// script can see: text whose contrast with its background is under 4.5:1
// (3:1 for large text), a control without an accessible name, an image
// without alt text, a control taken out of the tab order.
const a11yJS = `(() => {
  const lum = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(",").map(parseFloat); const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return {l: 0.2126 * f(p[0]) + 0.7152 * f(p[1]) + 0.0722 * f(p[2]), a: p.length > 3 ? p[3] : 1}; };
  const bg = el => { for (let e = el; e; e = e.parentElement) { const L = lum(getComputedStyle(e).backgroundColor); if (L && L.a > 0.5) return L.l; } return 1; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || !el.getClientRects().length) continue;
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(el); const fg = lum(cs.color).l, b = bg(el);
    const r = (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
    const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && parseInt(cs.fontWeight) >= 700);
    if (r < (large ? 3 : 4.5)) bad.push("contrast " + r.toFixed(2) + ": " + el.tagName + " " + el.textContent.trim().slice(0, 40));
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea, button")) {
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) bad.push("no label: " + el.outerHTML.slice(0, 80));
    if (el.tabIndex < 0) bad.push("not in the tab order: " + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("a[href]")) if (el.tabIndex < 0 || !el.textContent.trim()) bad.push("link: " + el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll("img")) if (!el.hasAttribute("alt")) bad.push("image without alt: " + el.outerHTML.slice(0, 80));
  return bad;
})()`

// accessible fails the test for what a11yJS finds on the page.
func (b *browser) accessible() {
	b.t.Helper()
	var bad []string
	b.eval(a11yJS, &bad)
	for _, x := range bad {
		b.t.Errorf("%s: %s", b.location(), x)
	}
}

// shot checks the page's accessibility and saves a screenshot for
// docs/ui/ when UI_SCREENSHOTS is set.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.waitJS(`document.readyState === "complete" && Array.from(document.images).every(i => i.complete)`)
	b.accessible()
	dir := os.Getenv("UI_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := get(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) open(path string) { b.t.Helper(); b.run(chromedp.Navigate(b.e.url + path)) }

// signIn signs in with key through the form, by keyboard.
func (b *browser) signIn(key string) {
	b.t.Helper()
	b.open("/ui/login")
	b.run(chromedp.WaitVisible(chromedp.ID("key")), chromedp.SendKeys(chromedp.ID("key"), key+kb.Enter),
		chromedp.WaitNotPresent(chromedp.ID("login-form")))
}

func (b *browser) location() string {
	b.t.Helper()
	return strings.TrimPrefix(get(b, chromedp.Location()), b.e.url)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, chromedp.Text(chromedp.CSS(sel))))
}

// eval evaluates js (awaiting a promise) and decodes its value into out
// (nil: ignored).
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	raw := get(b, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.fail("%s: %v (%s)", js, err, raw)
		}
	}
}

// waitJS waits until the expression is true. It evaluates the
// expression again and again rather than polling inside the page, so a
// navigation in between (a form posted by a key) does not end the wait.
func (b *browser) waitJS(expr string) {
	b.t.Helper()
	deadline := waitLimit(b.t)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	b.fail("waiting for %s: %v", expr, last)
}

func (b *browser) title() string {
	b.t.Helper()
	return get(b, chromedp.Title())
}

// TestBrowserSignInOut: the sign-in form by keyboard, a wrong key, the
// session cookie's attributes, the role's home, sign-out.
func TestBrowserSignInOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.key(stationScope)
	b := newBrowser(t, e, 1280, 900)

	b.open("/ui/station")
	if loc := b.location(); !strings.HasPrefix(loc, "/ui/login?next=") {
		t.Fatalf("signed out, /ui/station went to %s, want the sign-in form", loc)
	}
	b.shot("login")
	b.run(chromedp.SendKeys(chromedp.ID("key"), "rfk_"+strings.Repeat("A", 43)+kb.Enter), chromedp.WaitVisible(chromedp.ID("login-error")))
	if msg := b.text("#login-error"); !strings.Contains(msg, "Chiave non valida") {
		t.Errorf("wrong key: message %q", msg)
	}
	b.run(chromedp.SendKeys(chromedp.ID("key"), key+kb.Enter), chromedp.WaitVisible(chromedp.ID("upload-form")))
	if loc := b.location(); loc != "/ui/station" {
		t.Errorf("after sign-in at %s, want the station's home /ui/station (the next= of the first visit)", loc)
	}
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	cookies := res.Cookies
	found := false
	for _, c := range cookies {
		if c.Name == "regfus_session" {
			found = true
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/ui" {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, path /ui", c)
			}
			if strings.Contains(c.Value, key) {
				t.Error("the session cookie holds the key")
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie among %d", len(cookies))
	}
	// Sign out by keyboard: focus the button and press Enter.
	b.run(chromedp.Focus(chromedp.ID("logout")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.open("/ui/station")
	if loc := b.location(); !strings.HasPrefix(loc, "/ui/login") {
		t.Errorf("after sign-out /ui/station went to %s, want the sign-in form", loc)
	}
	if n := e.ui.Sessions().Len(); n != 0 {
		t.Errorf("%d sessions left after sign-out", n)
	}
}

// TestBrowserUpload: a station drops several scans (some multi-page) on
// the upload form; the batch page follows the reading live until every
// page is done, and lists the pages.
func TestBrowserUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.key(stationScope)
	b := newBrowser(t, e, 1280, 900)
	b.signIn(key)
	// Multi-page files with a foreign sheet among the station's own, as a
	// real day's box of scans.
	scans := []string{"0016-batch-pdf.pdf", scanOther}
	b.run(chromedp.SetUploadFiles(chromedp.ID("files"), scanPaths(scans)))
	b.waitJS(`document.getElementById("upload-chosen").textContent.startsWith("2 ×")`)
	b.shot("station")
	b.run(chromedp.Focus(chromedp.ID("upload-submit")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("live")))
	loc := b.location()
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/ui/batches/"), 10, 64)
	if err != nil {
		t.Fatalf("after the upload at %s, want /ui/batches/ID", loc)
	}
	// The counters move with the event stream; no reload.
	b.waitJS(`document.getElementById("live").dataset.status === "done"`)
	total, done := b.text(`[data-k="total"]`), b.text(`[data-k="done"]`)
	pages := e.pagesOf(key, id)
	if total != strconv.Itoa(len(pages)) || done != total || len(pages) != 4 {
		t.Errorf("batch page shows %s of %s pages done; the batch has %d pages", done, total, len(pages))
	}
	var max, value float64
	b.eval(`document.getElementById("batch-progress").max`, &max)
	b.eval(`document.getElementById("batch-progress").value`, &value)
	if max != float64(len(pages)) || value != max {
		t.Errorf("progress bar %v of %v, want %d of %d", value, max, len(pages), len(pages))
	}
	// The page table is refreshed by htmx when the stream says done.
	b.waitJS(fmt.Sprintf(`document.querySelectorAll("#pages tbody tr").length === %d`, len(pages)))
	b.shot("batch")
	// A page of it: the overlay and the slots.
	var href string
	b.eval(`Array.from(document.querySelectorAll("#pages tbody tr")).find(tr => tr.querySelector(".r-review")).querySelector("a").getAttribute("href")`, &href)
	b.open(href)
	b.run(chromedp.WaitVisible(chromedp.ID("overlay")))
	b.waitJS(`document.getElementById("overlay").complete && document.getElementById("overlay").naturalWidth > 0`)
	b.shot("page")
}

// TestBrowserReview clears a queue by keyboard only: typing replaces the
// value and Enter saves, Enter alone accepts, Escape postpones, the arrows
// and Page Up/Down move; the reconciliation changes under the
// corrections. Then the bulk view accepts a group in one go.
func TestBrowserReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station, validator := e.key(stationScope), e.key(validatorScope)
	batch := e.upload(station, scanClean, scanBitonal)
	e.importMonth(validator, scanClean, scanBitonal)
	recon := func() string {
		_, body := e.apiDo("GET", "/v1/reconciliations?asl=202&pharmacy=93161&competence=2025-06", validator, nil, "")
		var r struct {
			Groups []struct {
				Findings []json.RawMessage `json:"findings"`
				Payable  []json.RawMessage `json:"payable"`
			} `json:"groups"`
		}
		json.Unmarshal(body, &r)
		if len(r.Groups) != 1 {
			t.Fatalf("reconciliation: %s", body)
		}
		return fmt.Sprintf("%d findings, %d payable", len(r.Groups[0].Findings), len(r.Groups[0].Payable))
	}
	before := recon()

	// What each item is about, from the API: its field and its scan.
	items := e.reviewItems(station, "open")
	scanOf := map[int64]string{}
	for _, batch := range []int64{batch} {
		for _, p := range e.pagesOf(station, batch) {
			for _, it := range items {
				if it.PageID == p.ID {
					scanOf[it.ID] = p.Source
				}
			}
		}
	}
	if len(items) < 4 || len(scanOf) != len(items) {
		t.Fatalf("%d open items (%d placed): want the handwritten fields of two pages", len(items), len(scanOf))
	}
	fieldOf := map[int64]string{}
	for _, it := range items {
		fieldOf[it.ID] = it.Field
	}

	b := newBrowser(t, e, 1280, 900)
	b.signIn(station)
	b.open("/ui/review")
	current := func() int64 {
		var s string
		b.eval(`(document.getElementById("review") || {dataset: {}}).dataset.id || ""`, &s)
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	waitMove := func(from int64) int64 {
		b.waitJS(fmt.Sprintf(`document.readyState === "complete" && ((document.getElementById("review") && document.getElementById("review").dataset.id !== "%d") || !!document.getElementById("queue-empty"))`, from))
		return current()
	}
	press := func(key string) int64 {
		from := current()
		b.run(chromedp.KeyEvent(key))
		return waitMove(from)
	}
	first := current()
	if first == 0 {
		b.fail("no review item shown at %s", b.location())
	}
	b.shot("review")
	// Arrows: down to the next item of the queue and back up.
	if second := press(kb.ArrowDown); second == first || second == 0 {
		b.fail("ArrowDown stayed on %d", first)
	}
	if back := press(kb.ArrowUp); back != first {
		b.fail("ArrowUp went to %d, want %d", back, first)
	}
	// Page Down (or Up, from the page's last item): another item of the
	// same page, and back.
	var hasNext bool
	b.eval(`document.getElementById("review").dataset.nextsib !== ""`, &hasNext)
	there, back := kb.PageDown, kb.PageUp
	if !hasNext {
		there, back = back, there
	}
	if sib := press(there); sib == first || scanOf[sib] != scanOf[first] {
		b.fail("%q went from %d (%s) to %d (%s), want another item of the same page", there, first, scanOf[first], sib, scanOf[sib])
	}
	if again := press(back); again != first {
		b.fail("%q went to %d, want %d", back, again, first)
	}

	postponed := int64(0)
	changed := false
	typedCount := 0
	var answered []int64
	for steps := 0; steps < 3*len(items); steps++ {
		id := current()
		if id == 0 {
			break
		}
		tr := readTruth(t, scanOf[id])
		// The value field, or the accept button, has the focus.
		b.waitJS(`document.activeElement && (document.activeElement.id === "value" || document.activeElement.id === "accept")`)
		switch f := fieldOf[id]; {
		case postponed == 0:
			postponed = id
			if next := press(kb.Escape); next == id {
				b.fail("Escape did not postpone item %d", id)
			}
			continue
		case f == "progressive":
			b.run(chromedp.KeyEvent(tr.Sheet.Progressive))
			typedCount++
		case f == "declared_count" && tr.Sheet.DeclaredCount != nil:
			b.run(chromedp.KeyEvent(strconv.Itoa(*tr.Sheet.DeclaredCount)))
			typedCount++
		}
		// Enter: save what was typed, or accept the value as shown.
		press(kb.Enter)
		answered = append(answered, id)
		var n int
		b.eval(`document.querySelectorAll("#recon-changes li").length`, &n)
		if n > 0 && !changed {
			b.shot("review-saved")
		}
		changed = changed || n > 0
	}
	b.run(chromedp.WaitVisible(chromedp.ID("queue-empty")))
	if typedCount < 2 {
		t.Errorf("only %d values typed", typedCount)
	}
	if !changed {
		t.Error("no correction showed a change of the reconciliation")
	}
	// The postponed item came back after all the others.
	if len(answered) == 0 || answered[len(answered)-1] != postponed {
		t.Errorf("answered %v: the postponed item %d is not last", answered, postponed)
	}
	// Every item is resolved, by this key, with the truth where typed.
	done := e.reviewItems(station, "resolved")
	if len(done) != len(items) {
		t.Fatalf("%d items resolved, want %d", len(done), len(items))
	}
	for _, it := range done {
		it = e.reviewItem(station, it.ID)
		if len(it.Corrections) != 1 {
			t.Errorf("item %d: %d corrections", it.ID, len(it.Corrections))
			continue
		}
		tr := readTruth(t, scanOf[it.ID])
		after := string(it.Corrections[0].After)
		switch it.Field {
		case "progressive":
			if after != strconv.Quote(tr.Sheet.Progressive) {
				t.Errorf("item %d progressive saved %s, want %q", it.ID, after, tr.Sheet.Progressive)
			}
		case "declared_count":
			if tr.Sheet.DeclaredCount != nil && after != strconv.Itoa(*tr.Sheet.DeclaredCount) {
				t.Errorf("item %d count saved %s, want %d", it.ID, after, *tr.Sheet.DeclaredCount)
			}
		case "date":
			if after != "null" {
				t.Errorf("item %d date: Enter on nothing read saved %s, want null", it.ID, after)
			}
		}
	}
	if after := recon(); after == before {
		t.Errorf("reconciliation unchanged by the corrections: %s", after)
	}
}

// TestBrowserSuggestion: an item of a field read but not accepted shows
// the suggestion (text, confidence, why) beside "nothing read", the
// value field starts with it when it is a whole value, and Enter saves
// it as the person's answer. The item's suggestion, from the API, is the
// page's own for that field.
func TestBrowserSuggestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station := e.key(auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "201"}})
	batch := e.upload(station, scanSuggests)
	pages := e.pagesOf(station, batch)
	if len(pages) != 1 {
		t.Fatalf("pages %+v", pages)
	}
	_, body := e.apiDo("GET", fmt.Sprintf("/v1/pages/%d", pages[0].ID), station, nil, "")
	var pg struct {
		Sheet struct {
			Suggestions map[string]json.RawMessage `json:"suggestions"`
		} `json:"sheet"`
	}
	if err := json.Unmarshal(body, &pg); err != nil {
		t.Fatal(err)
	}
	member := map[string]string{"progressive": "progressive", "declared_count": "count", "date": "date"}
	var typed []reviewItem // items whose suggestion starts the field
	shown := 0
	b := newBrowser(t, e, 1280, 900)
	b.signIn(station)
	for _, it := range e.reviewItems(station, "open") {
		m, ok := member[it.Field]
		if !ok {
			if it.Suggestion != nil {
				t.Errorf("%s item %d has a suggestion %+v", it.Field, it.ID, *it.Suggestion)
			}
			continue
		}
		want, _ := json.Marshal(it.Suggestion)
		if got := pg.Sheet.Suggestions[m]; !jsonSame(got, want) {
			t.Errorf("%s item %d: suggestion %s, the page's %s", it.Field, it.ID, want, got)
		}
		if it.Suggestion == nil {
			continue
		}
		shown++
		b.open(fmt.Sprintf("/ui/review/%d", it.ID))
		if got := b.text("#suggestion-text"); got != it.Suggestion.Text {
			b.fail("item %d shows suggestion %q, want %q", it.ID, got, it.Suggestion.Text)
		}
		if got, want := b.text("#suggestion-confidence"), fmt.Sprintf("%.0f%%", it.Suggestion.Confidence*100); got != want {
			b.fail("item %d shows confidence %q, want %q", it.ID, got, want)
		}
		if got := b.text("#suggestion-why"); got != it.Suggestion.Why {
			b.fail("item %d shows why %q, want %q", it.ID, got, it.Suggestion.Why)
		}
		if got := b.text("#read-value"); got != "(niente)" {
			b.fail("item %d shows %q as read, want (niente): a suggestion is not a value", it.ID, got)
		}
		var input string
		b.eval(`document.getElementById("value").value`, &input)
		_, err := strconv.Atoi(it.Suggestion.Text)
		whole := err == nil && (it.Field == "progressive" || it.Field == "declared_count") && it.Suggestion.Text[0] != '0'
		if whole != (input == it.Suggestion.Text) || (!whole && input != "") {
			b.fail("item %d (%s, suggestion %q): the field starts with %q", it.ID, it.Field, it.Suggestion.Text, input)
		}
		if whole {
			typed = append(typed, it)
		}
	}
	if shown == 0 {
		t.Fatalf("%s gave no item with a suggestion: the test needs a scan that does", scanSuggests)
	}
	// Enter on a suggestion that starts the field saves it.
	for _, it := range typed {
		b.open(fmt.Sprintf("/ui/review/%d", it.ID))
		b.waitJS(`document.activeElement && document.activeElement.id === "value"`)
		b.run(chromedp.KeyEvent(kb.Enter))
		b.waitJS(fmt.Sprintf(`document.readyState === "complete" && !location.pathname.endsWith("/%d")`, it.ID))
		got := e.reviewItem(station, it.ID)
		want := it.Suggestion.Text
		if it.Field == "progressive" {
			want = strconv.Quote(want)
		}
		if got.Status != "resolved" || len(got.Corrections) != 1 || string(got.Corrections[0].After) != want {
			t.Errorf("item %d after Enter: %s, corrections %+v, want one saving %s", it.ID, got.Status, got.Corrections, want)
		}
	}
}

// jsonSame reports whether two JSON texts hold the same value (a missing
// member, nil, is null).
func jsonSame(a, b []byte) bool {
	var x, y any
	if len(a) == 0 {
		a = []byte("null")
	}
	if len(b) == 0 {
		b = []byte("null")
	}
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestBrowserBulk accepts every item of one field and value in one go.
func TestBrowserBulk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station := e.key(stationScope)
	e.upload(station, scanClean, scanOther)
	open := e.reviewItems(station, "open")
	b := newBrowser(t, e, 1280, 900)
	b.signIn(station)
	b.open("/ui/review/bulk")
	// The first group is the largest: open it by keyboard.
	b.run(chromedp.Focus(chromedp.CSS("#bulk-groups a")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("bulk-form")))
	var n int
	b.eval(`document.querySelectorAll("#bulk-form input[type=checkbox]:checked").length`, &n)
	if n < 2 {
		b.fail("the largest group of the bulk view has %d items, want 2 or more (%d open)", n, len(open))
	}
	b.shot("bulk")
	// The accept button has the focus: Enter.
	b.run(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("flash")))
	if left := len(e.reviewItems(station, "open")); left != len(open)-n {
		t.Errorf("%d items open after accepting %d of %d", left, n, len(open))
	}
}

// TestBrowserSelfCheck: a pharmacy drops a phone photo of a sheet with
// overlapping fustelle, at a phone's width; the verdict names the
// overlaps the synthesiser made and draws them on the picture.
func TestBrowserSelfCheck(t *testing.T) {
	t.Parallel()
	const scan = "0014-phone.jpg"
	e := newEnv(t)
	key := e.key(pharmacyScope)
	var want []int
	for _, s := range readTruth(t, scan).Slots {
		for _, d := range s.Defects {
			if d == "overlap" {
				want = append(want, s.Slot)
			}
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s has no overlap in its truth", scan)
	}
	br := newBrowser(t, e, 390, 844)
	br.signIn(key)
	if loc := br.location(); loc != "/ui/check" {
		t.Errorf("a pharmacy's home is %s, want /ui/check", loc)
	}
	var scrollW int
	br.eval(`document.documentElement.scrollWidth`, &scrollW)
	if scrollW > 390 {
		t.Errorf("the check page is %d px wide on a 390 px screen", scrollW)
	}
	var capture string
	br.eval(`document.getElementById("check-photo").getAttribute("capture") + " " + document.getElementById("check-photo").accept`, &capture)
	if capture != "environment image/*" {
		t.Errorf("photo input: capture and accept %q", capture)
	}
	br.run(chromedp.SetUploadFiles(chromedp.ID("check-file"), []string{scanPath(scan)}))
	br.waitJS(`!!document.querySelector("#verdict article") && document.querySelector("[data-preview]").complete`)
	var kinds []string
	br.eval(`Array.from(document.querySelectorAll("#problems li")).map(li => li.dataset.kind + " " + li.textContent)`, &kinds)
	for _, s := range want {
		found := false
		for _, k := range kinds {
			found = found || strings.HasPrefix(k, "check.p.overlap casella "+strconv.Itoa(s)+":")
		}
		if !found {
			t.Errorf("verdict does not name the overlap in slot %d: %q", s, kinds)
		}
	}
	var bad []string
	br.eval(`Array.from(document.querySelectorAll(".sh-bad text")).map(t => t.textContent)`, &bad)
	for _, s := range want {
		if !strings.Contains(" "+strings.Join(bad, " ")+" ", " "+strconv.Itoa(s)+" ") {
			t.Errorf("slot %d not drawn as a problem on the picture (drawn: %v)", s, bad)
		}
	}
	var src string
	br.eval(`document.querySelector("[data-preview]").src`, &src)
	if !strings.HasPrefix(src, "blob:") {
		t.Errorf("the verdict is not drawn on the pharmacy's own picture (img src %q)", src)
	}
	br.eval(`document.documentElement.scrollWidth`, &scrollW)
	if scrollW > 390 {
		t.Errorf("the verdict is %d px wide on a 390 px screen", scrollW)
	}
	br.shot("check-390")
	br.run(chromedp.EmulateViewport(1280, 900))
	br.shot("check")
	br.open("/ui/history")
	br.run(chromedp.WaitVisible(chromedp.ID("batch-table")))
	br.shot("history")
}

// TestBrowserValidator: the reconciliations listing, a report with its
// sheets and links to the pages, and the downloads.
func TestBrowserValidator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station, validator := e.key(stationScope), e.key(validatorScope)
	e.upload(station, scanClean, scanOther)
	e.importMonth(validator, scanClean, scanOther)
	b := newBrowser(t, e, 1280, 900)
	b.signIn(validator)
	if loc := b.location(); loc != "/ui/reconciliations" {
		t.Errorf("a validator's home is %s, want /ui/reconciliations", loc)
	}
	b.run(chromedp.WaitVisible(chromedp.ID("recon-table")))
	b.shot("reconciliations")
	// The filter: a month without data, then the right one.
	b.open("/ui/reconciliations?month=2024-01")
	b.run(chromedp.WaitVisible(chromedp.ID("recon-none")))
	b.open("/ui/reconciliations?asl=202&month=2025-06")
	b.run(chromedp.Click(chromedp.CSS(`#recon-table a[href="/ui/reconciliations/120/202/93161/2025-06"]`)),
		chromedp.WaitVisible(chromedp.ID("sheets")))
	var sheets, links int
	b.eval(`document.querySelectorAll("#sheets svg.sheet").length`, &sheets)
	b.eval(`document.querySelectorAll('#sheets a[href^="/ui/pages/"]').length`, &links)
	if sheets != 2 || links < 2 {
		t.Errorf("report draws %d sheets with %d page links, want 2 sheets linked to their pages", sheets, links)
	}
	b.shot("report")
	var csv string
	b.eval(`(async () => { const r = await fetch(document.getElementById("dl-findings").href); return r.headers.get("content-disposition") + "\n" + r.headers.get("content-type") + "\n" + await r.text(); })()`, &csv)
	lines := strings.Split(csv, "\n")
	if len(lines) < 3 || !strings.Contains(lines[0], `120-202-93161-2025-06-findings.csv`) || !strings.HasPrefix(lines[1], "text/csv") ||
		lines[2] != "region,asl,pharmacy,competence,kind,sheet,slot,targatura,record_id,detail,source,page" {
		t.Errorf("findings CSV download:\n%s", csv)
	}
	var findingRows int
	b.eval(`document.querySelectorAll("#findings tbody tr").length`, &findingRows)
	if got := len(lines) - 4; got != findingRows { // header lines, CSV header, final newline
		t.Errorf("CSV has %d findings, the page %d", got, findingRows)
	}
	var payable, js string
	b.eval(`(async () => (await (await fetch(document.getElementById("dl-payable").href)).text()).split("\n")[0])()`, &payable)
	b.eval(`(async () => { const j = await (await fetch(document.getElementById("dl-json").href)).json(); return j.pharmacy + " " + j.competence; })()`, &js)
	if payable != "region,asl,pharmacy,competence,record_id,aic,targatura,attestation,signature,sheet,slot,carried_from" || js != "93161 2025-06" {
		t.Errorf("payable CSV header %q, JSON %q", payable, js)
	}
	// Down to the page.
	b.run(chromedp.Click(chromedp.CSS(`#sheets a[href^="/ui/pages/"]`)), chromedp.WaitVisible(chromedp.ID("slots")))
}

// TestBrowserScope: a pharmacy sees its own pages, and another pharmacy's
// are not found (404), in the browser as in the API.
func TestBrowserScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station := e.key(stationScope)
	batch := e.upload(station, scanOther)
	pid := e.pagesOf(station, batch)[0].ID
	items := e.reviewItems(station, "open")
	if len(items) == 0 {
		t.Fatal("no review item")
	}
	own := newBrowser(t, e, 1280, 900)
	own.signIn(e.key(pharmacyScope))
	own.open(fmt.Sprintf("/ui/pages/%d", pid))
	own.run(chromedp.WaitVisible(chromedp.ID("slots")))

	other := newBrowser(t, e, 1280, 900)
	other.signIn(e.key(otherPharmacy))
	for _, p := range []string{fmt.Sprintf("/ui/pages/%d", pid), fmt.Sprintf("/ui/review/%d", items[0].ID), fmt.Sprintf("/ui/batches/%d", batch)} {
		other.open(p)
		if title := other.title(); !strings.HasPrefix(title, "404") {
			other.fail("another pharmacy's %s: page %q, want 404", p, title)
		}
	}
	var status int
	other.eval(fmt.Sprintf(`fetch("/ui/pages/%d/image").then(r => r.status)`, pid), &status)
	if status != 404 {
		t.Errorf("another pharmacy's page image: %d, want 404", status)
	}
	other.shot("not-found")
}

// TestBrowserCSRF: a form posted without its token is refused (403) and
// changes nothing.
func TestBrowserCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	station := e.key(stationScope)
	e.upload(station, scanOther)
	items := e.reviewItems(station, "open")
	b := newBrowser(t, e, 1280, 900)
	b.signIn(station)
	b.open(fmt.Sprintf("/ui/review/%d", items[0].ID))
	b.run(chromedp.WaitVisible(chromedp.ID("review-form")))
	b.eval(`document.querySelector('#review-form input[name=csrf]').remove(); setTimeout(() => document.getElementById("review-form").submit(), 0); true`, nil)
	b.waitJS(`document.title.startsWith("403")`)
	if n := len(e.reviewItems(station, "open")); n != len(items) {
		t.Errorf("%d items open after a refused post, want %d", n, len(items))
	}
	var status int
	b.eval(`fetch("/ui/logout", {method: "POST"}).then(r => r.status)`, &status)
	if status != 403 {
		t.Errorf("sign-out without token: %d, want 403", status)
	}
	b.eval(`fetch("/ui/logout", {method: "POST", headers: {"X-CSRF-Token": "wrong"}}).then(r => r.status)`, &status)
	if status != 403 {
		t.Errorf("sign-out with a wrong token: %d, want 403", status)
	}
}
