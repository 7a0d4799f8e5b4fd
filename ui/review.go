package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Review, one item at a time. The queue is every open item in the
// caller's scope (the API's Reviews.List), most confident first (the
// quick confirmations come first; page-level items, which carry no
// confidence, after the slots), items the person postponed in this
// session last. Enter accepts the value shown (or saves what was typed
// over it) through the API's Reviews.Correct and moves on; Escape
// postpones; arrow up and down move through the queue; Page Up and Page
// Down move through the other items of the same page (see
// static/app.js). The bulk view lists every item with the same field and
// value side by side, to accept them in one go.

// entry is a review item as the review screens show it.
type entry struct {
	Item store.ReviewItem
	// Shown is the value read or suggested, for people; Input is the same
	// value as it is typed in the field (empty when nothing was read).
	Shown, Input string
	// Confidence of a slot's read, in [0,1]; HasConf false for fields
	// without one.
	Confidence float64
	HasConf    bool
	// Acceptable: Enter can confirm the value as shown (a slot needs both
	// codes, a sheet code needs one).
	Acceptable bool
	// Typable: the field takes a typed value (rule and page items are
	// confirmed, not typed).
	Typable bool
	// Suggested is the item's suggestion (what the reader read in the box
	// without accepting it) as it is typed in the field, when nothing was
	// read and the suggestion is a whole value of the field ("" otherwise:
	// a suggestion with an unread character is shown, not offered). The
	// field starts with it, so Enter saves it as the person's answer, who
	// sees the crop, the suggestion and why it was not accepted; clearing
	// the field saves "nothing there" as before. It is never the item's
	// accept, and an item with a suggestion and nothing read is not
	// Acceptable: the bulk view never confirms a written box as empty.
	Suggested string
	// SuggestionRead: the suggestion was read from the box and has a
	// confidence to show; the scan order's (page.SourceScanOrder) reads
	// nothing, so none is shown for it.
	SuggestionRead bool
	// accept is the correction that confirms the value as shown.
	accept json.RawMessage
}

func newEntry(it store.ReviewItem) entry {
	e := entry{Item: it, Typable: true}
	v := it.Value
	switch it.Field {
	case process.FieldCode:
		var c struct {
			Code     *string `json:"code"`
			TailCode *string `json:"tail_code"`
		}
		json.Unmarshal(v, &c)
		for _, s := range []*string{c.Code, c.TailCode} {
			if s != nil && *s != "" && e.Input == "" {
				e.Input = *s
			}
		}
		e.Shown = e.Input
		if e.Input != "" {
			e.Acceptable = true
			e.accept, _ = json.Marshal(e.Input)
		}
	case process.FieldProgressive, process.FieldDate:
		var s *string
		json.Unmarshal(v, &s)
		if s != nil {
			e.Input, e.Shown = *s, *s
		}
		e.Acceptable, e.accept = true, nullJSON(v)
	case process.FieldCount:
		var n *int
		json.Unmarshal(v, &n)
		if n != nil {
			e.Input = strconv.Itoa(*n)
			e.Shown = e.Input
		}
		e.Acceptable, e.accept = true, nullJSON(v)
	case process.FieldSlot, process.FieldRule:
		var s page.Slot
		json.Unmarshal(v, &s)
		e.Confidence, e.HasConf = s.Confidence, true
		a, t := "?", "?"
		if s.AIC != nil {
			a = *s.AIC
		}
		if s.Targatura != nil {
			t = *s.Targatura
		}
		e.Shown = "AIC " + a + " · " + t
		if it.Field == process.FieldRule {
			e.Typable, e.Acceptable = false, true
			e.accept = json.RawMessage(`{"accepted":true}`)
			break
		}
		if s.AIC != nil && s.Targatura != nil {
			e.Input = *s.AIC + " " + *s.Targatura
			e.Acceptable = true
			e.accept, _ = json.Marshal(map[string]string{"state": "filled", "aic": *s.AIC, "targatura": *s.Targatura})
		}
	default: // FieldPage: confirmed as it is
		var r struct {
			Reasons []string `json:"reasons"`
		}
		json.Unmarshal(v, &r)
		e.Shown = strings.Join(r.Reasons, "; ")
		if e.Shown == "" {
			e.Shown = it.Reason
		}
		e.Typable, e.Acceptable, e.accept = false, true, json.RawMessage("null")
	}
	// A suggestion read from the box pre-fills the value, so that Enter
	// saves what the reviewer sees in the crop. The scan order's is shown
	// but not pre-filled: nothing in the image backs it (a sheet scanned
	// out of order would be confirmed by a keystroke), so the reviewer
	// types what the crop shows.
	e.SuggestionRead = it.Suggestion != nil && it.Suggestion.Source != page.SourceScanOrder
	if e.Input == "" && e.SuggestionRead {
		e.Suggested = suggestedInput(it.Field, it.Suggestion.Text)
		e.Acceptable = false
	}
	return e
}

// suggestedInput is a suggestion's text as a person types it in the
// field, when it is a whole value the field takes; "" otherwise.
func suggestedInput(field, text string) string {
	switch field {
	case process.FieldProgressive:
		if p, err := sheet.ParseProgressive(text); err == nil {
			return p.String()
		}
	case process.FieldCount:
		if n, err := strconv.Atoi(text); err == nil && n >= 0 && n <= 28 && strconv.Itoa(n) == text {
			return text
		}
	case process.FieldDate:
		// DDMMYYYY, the eight cells, as DD/MM/YYYY.
		if d, err := time.Parse("02012006", text); err == nil && len(text) == 8 {
			return d.Format("02/01/2006")
		}
	}
	return ""
}

func nullJSON(v json.RawMessage) json.RawMessage {
	if len(strings.TrimSpace(string(v))) == 0 {
		return json.RawMessage("null")
	}
	return v
}

var digitRuns = regexp.MustCompile(`\d+`)

// typedValue turns what a person typed into the item's correction, in the
// form process.ApplyCorrection takes. An empty field means "nothing
// there" (null) where the field allows it; a date may be typed the
// Italian way (05/06/2025).
func typedValue(it store.ReviewItem, typed string) (json.RawMessage, error) {
	typed = strings.TrimSpace(typed)
	switch it.Field {
	case process.FieldCode:
		code := strings.Join(digitRuns.FindAllString(typed, -1), "")
		if code == "" {
			return nil, uiErrorf(http.StatusBadRequest, "review.err.code")
		}
		return json.Marshal(code)
	case process.FieldProgressive:
		if typed == "" {
			return json.RawMessage("null"), nil
		}
		return json.Marshal(strings.ToUpper(typed))
	case process.FieldCount:
		if typed == "" {
			return json.RawMessage("null"), nil
		}
		n, err := strconv.Atoi(typed)
		if err != nil {
			return nil, uiErrorf(http.StatusBadRequest, "review.err.count")
		}
		return json.Marshal(n)
	case process.FieldDate:
		if typed == "" {
			return json.RawMessage("null"), nil
		}
		for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "02/01/06", "02.01.2006"} {
			if d, err := time.Parse(layout, typed); err == nil {
				return json.Marshal(d.Format("2006-01-02"))
			}
		}
		return nil, uiErrorf(http.StatusBadRequest, "review.err.date")
	case process.FieldSlot:
		low := strings.ToLower(typed)
		if low == "-" || low == "vuota" || low == "vuoto" || low == "empty" {
			return json.RawMessage(`{"state":"empty"}`), nil
		}
		runs := digitRuns.FindAllString(typed, -1)
		if len(runs) != 2 {
			return nil, uiErrorf(http.StatusBadRequest, "review.err.slot")
		}
		return json.Marshal(map[string]string{"state": "filled", "aic": runs[0], "targatura": runs[1]})
	}
	return newEntry(it).accept, nil
}

// queue is the caller's open items in review order.
func (u *UI) queue(ctx context.Context, rc *reqCtx) ([]entry, error) {
	items, err := u.dom.Reviews.List(ctx, rc.who, store.ReviewFilter{Status: store.ReviewOpen})
	if err != nil {
		return nil, err
	}
	return orderQueue(items, rc.sess.postponedRank()), nil
}

// orderQueue puts items in review order: items with a confidence (slots)
// first, most confident first; then the fields without one; items
// postponed last, in the order they were put off.
func orderQueue(items []store.ReviewItem, post map[int64]int) []entry {
	es := make([]entry, len(items))
	for i, it := range items {
		es[i] = newEntry(it)
	}
	sort.SliceStable(es, func(i, j int) bool {
		pi, iPost := post[es[i].Item.ID]
		pj, jPost := post[es[j].Item.ID]
		if iPost != jPost {
			return !iPost
		}
		if iPost {
			return pi < pj
		}
		if es[i].HasConf != es[j].HasConf {
			return es[i].HasConf
		}
		if es[i].Confidence != es[j].Confidence {
			return es[i].Confidence > es[j].Confidence
		}
		return es[i].Item.ID < es[j].Item.ID
	})
	return es
}

// stats is the queue's progress.
type stats struct {
	Open, Resolved int
	// LastHour counts items resolved in the last hour in the scope.
	LastHour int
}

func (u *UI) stats(ctx context.Context, rc *reqCtx, open int) (stats, error) {
	done, err := u.dom.Reviews.List(ctx, rc.who, store.ReviewFilter{Status: store.ReviewResolved})
	if err != nil {
		return stats{}, err
	}
	s := stats{Open: open, Resolved: len(done)}
	since := now().Add(-time.Hour)
	for _, it := range done {
		if it.ResolvedAt.After(since) {
			s.LastHour++
		}
	}
	return s, nil
}

// flash is what the last correction did, shown on the next item.
type flash struct {
	Item    int64
	Group   *sheet.Key
	Changes []change
	Error   string
	Bulk    int
}

// change is one figure of a reconciliation that a correction moved.
type change struct {
	Key         string // catalogue key
	Before, Now int
}

type reviewData struct {
	E        entry
	Pos      int // 1-based position in the queue, 0 when not in it
	Prev     int64
	Next     int64
	Siblings []entry // the page's other open items
	PrevSib  int64
	NextSib  int64
	Stats    stats
	Flash    *flash
	Error    string
	Typed    string
	Done     bool // the item is resolved
	Postpone bool // the item is postponed
}

// reviewNext opens the first item of the queue (or after=ID: the one
// after it), or says the queue is empty.
func (u *UI) reviewNext(rc *reqCtx) error {
	ctx := rc.Request().Context()
	q, err := u.queue(ctx, rc)
	if err != nil {
		return err
	}
	if len(q) > 0 {
		return rc.Redirect(http.StatusSeeOther, fmt.Sprintf("/ui/review/%d", q[0].Item.ID))
	}
	st, err := u.stats(ctx, rc, 0)
	if err != nil {
		return err
	}
	return u.ok(rc, "review", reviewData{Stats: st, Flash: rc.sess.takeFlash()})
}

// reviewItem shows one item.
func (u *UI) reviewItem(rc *reqCtx) error {
	id, err := pathID(rc)
	if err != nil {
		return err
	}
	d, err := u.reviewData(rc, id)
	if err != nil {
		return err
	}
	d.Flash = rc.sess.takeFlash()
	return u.ok(rc, "review", d)
}

func (u *UI) reviewData(rc *reqCtx, id int64) (reviewData, error) {
	ctx := rc.Request().Context()
	it, err := u.dom.Reviews.Get(ctx, rc.who, id)
	if err != nil {
		return reviewData{}, notFound(err)
	}
	q, err := u.queue(ctx, rc)
	if err != nil {
		return reviewData{}, err
	}
	d := reviewData{E: newEntry(it), Done: it.Status == store.ReviewResolved}
	_, d.Postpone = rc.sess.postponedRank()[id]
	for i, e := range q {
		if e.Item.ID == id {
			d.Pos = i + 1
			if i > 0 {
				d.Prev = q[i-1].Item.ID
			}
			if i+1 < len(q) {
				d.Next = q[i+1].Item.ID
			}
		}
	}
	if d.Pos == 0 && len(q) > 0 {
		d.Next = q[0].Item.ID
	}
	var sibs []entry
	for _, e := range q {
		if e.Item.PageID == it.PageID {
			sibs = append(sibs, e)
		}
	}
	sort.Slice(sibs, func(i, j int) bool { return sibs[i].Item.ID < sibs[j].Item.ID })
	for i, e := range sibs {
		if e.Item.ID == id {
			if i > 0 {
				d.PrevSib = sibs[i-1].Item.ID
			}
			if i+1 < len(sibs) {
				d.NextSib = sibs[i+1].Item.ID
			}
		}
	}
	d.Siblings = sibs
	d.Stats, err = u.stats(ctx, rc, len(q))
	return d, err
}

// correct saves the person's answer: action=accept confirms the value as
// shown, otherwise the typed value is the correction. Then the next item
// of the queue opens, with what the correction changed in the pharmacy's
// reconciliation.
func (u *UI) correct(rc *reqCtx) error {
	it, err := u.itemOfPath(rc)
	if err != nil {
		return err
	}
	ctx, id := rc.Request().Context(), it.ID
	e := newEntry(it)
	typed := rc.FormValue("value")
	if len(rc.FormValue("note")) > 2000 { // as POST /v1/review/{id}
		return uiErrorf(http.StatusBadRequest, "review.err.note")
	}
	var value json.RawMessage
	if !e.Typable || (e.Acceptable && strings.TrimSpace(typed) == strings.TrimSpace(e.Input)) {
		value = e.accept
	} else {
		value, err = typedValue(it, typed)
	}
	if err == nil {
		var fl *flash
		fl, err = u.apply(ctx, rc, it, value, strings.TrimSpace(rc.FormValue("note")))
		if err == nil {
			rc.sess.setFlash(fl)
			return u.goNext(rc, id)
		}
	}
	// A value that does not fit the field: the item again, with why.
	msg := ""
	var ue *uiError
	if errors.As(err, &ue) {
		msg = u.cat.t(rc.lang, ue.msg, ue.args...)
	} else if errors.Is(err, store.ErrInvalid) || isStatus(err, http.StatusBadRequest) {
		_, msg = apiMessage(err)
	} else {
		return err
	}
	d, derr := u.reviewData(rc, id)
	if derr != nil {
		return derr
	}
	d.Error, d.Typed = msg, typed
	return u.render(rc, http.StatusBadRequest, "review", d)
}

// apply corrects one item and says what changed in its reconciliation.
func (u *UI) apply(ctx context.Context, rc *reqCtx, it store.ReviewItem, value json.RawMessage, note string) (*flash, error) {
	var before *reconcile.Group
	if it.Group != nil {
		before = u.groupReport(ctx, rc, *it.Group)
	}
	saved, _, err := u.dom.Reviews.Correct(ctx, rc.who, it.ID, value, note)
	if err != nil {
		return nil, err
	}
	fl := &flash{Item: it.ID, Group: saved.Group}
	if saved.Group == nil {
		saved.Group = it.Group
		fl.Group = it.Group
	}
	if fl.Group != nil {
		after := u.groupReport(ctx, rc, *fl.Group)
		fl.Changes = diffGroups(before, after)
	}
	return fl, nil
}

// groupReport is a group's stored reconciliation, nil when there is none
// (or it is out of scope).
func (u *UI) groupReport(ctx context.Context, rc *reqCtx, g sheet.Key) *reconcile.Group {
	r, err := u.dom.Store.GetReconciliation(ctx, g, rc.who.Scope)
	if err != nil {
		return nil
	}
	var out reconcile.Group
	if json.Unmarshal(r.Report, &out) != nil {
		return nil
	}
	return &out
}

// diffGroups lists the figures of a reconciliation that differ.
func diffGroups(a, b *reconcile.Group) []change {
	if b == nil {
		return nil
	}
	if a == nil {
		a = &reconcile.Group{}
	}
	var out []change
	add := func(key string, x, y int) {
		if x != y {
			out = append(out, change{Key: key, Before: x, Now: y})
		}
	}
	add("recon.scanned_sheets", a.ScannedSheets, b.ScannedSheets)
	add("recon.payable", a.Summary.Payable, b.Summary.Payable)
	for _, o := range reconcile.FustellaOutcomes {
		add("outcome."+string(o), a.Summary.Fustelle[o], b.Summary.Fustelle[o])
	}
	for _, k := range reconcile.Kinds {
		add("kind."+string(k), a.Summary.Findings[k], b.Summary.Findings[k])
	}
	add("recon.findings", len(a.Findings), len(b.Findings))
	return out
}

// goNext opens the item after id in the queue, or the queue's end.
func (u *UI) goNext(rc *reqCtx, id int64) error {
	q, err := u.queue(rc.Request().Context(), rc)
	if err != nil {
		return err
	}
	for _, e := range q {
		if e.Item.ID != id {
			return rc.Redirect(http.StatusSeeOther, fmt.Sprintf("/ui/review/%d", e.Item.ID))
		}
	}
	return rc.Redirect(http.StatusSeeOther, "/ui/review")
}

// postpone puts the item at the end of this session's queue.
func (u *UI) postpone(rc *reqCtx) error {
	it, err := u.itemOfPath(rc)
	if err != nil {
		return err
	}
	rc.sess.postpone(it.ID)
	return u.goNext(rc, it.ID)
}

// crop sends the part of the page the item is about.
func (u *UI) crop(rc *reqCtx) error {
	it, err := u.itemOfPath(rc)
	if err != nil {
		return err
	}
	b, err := u.dom.Pages.Crop(rc.Request().Context(), rc.who, it)
	if err != nil {
		return notFound(err)
	}
	rc.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return rc.Blob(http.StatusOK, "image/png", b)
}

// bulkGroup is every open item with one field and one shown value.
type bulkGroup struct {
	Field, Shown string
	Entries      []entry
}

type bulkData struct {
	Groups []bulkGroup
	Sel    *bulkGroup
	Stats  stats
	Flash  *flash
}

// bulkGroups groups the acceptable open items by field and value, the
// largest groups first.
func bulkGroups(q []entry) []bulkGroup {
	idx := map[[2]string]int{}
	var gs []bulkGroup
	for _, e := range q {
		if !e.Acceptable {
			continue
		}
		k := [2]string{e.Item.Field, e.Shown}
		if e.Item.Field == process.FieldRule {
			k[1] = e.Item.Reason
		}
		i, ok := idx[k]
		if !ok {
			i = len(gs)
			idx[k] = i
			gs = append(gs, bulkGroup{Field: k[0], Shown: k[1]})
		}
		gs[i].Entries = append(gs[i].Entries, e)
	}
	sort.SliceStable(gs, func(i, j int) bool { return len(gs[i].Entries) > len(gs[j].Entries) })
	return gs
}

// bulk lists the groups, or one group's items side by side
// (?field=&value=).
func (u *UI) bulk(rc *reqCtx) error {
	ctx := rc.Request().Context()
	q, err := u.queue(ctx, rc)
	if err != nil {
		return err
	}
	d := bulkData{Groups: bulkGroups(q), Flash: rc.sess.takeFlash()}
	if f := rc.QueryParam("field"); f != "" {
		v := rc.QueryParam("value")
		for i := range d.Groups {
			if d.Groups[i].Field == f && d.Groups[i].Shown == v {
				d.Sel = &d.Groups[i]
			}
		}
	}
	d.Stats, err = u.stats(ctx, rc, len(q))
	if err != nil {
		return err
	}
	return u.ok(rc, "bulk", d)
}

// bulkAccept confirms the checked items (ids), each with its own value as
// shown (never a value sent by the browser).
func (u *UI) bulkAccept(rc *reqCtx) error {
	ctx := rc.Request().Context()
	form, err := rc.FormParams()
	if err != nil {
		return err
	}
	n := 0
	fl := &flash{}
	for _, raw := range form["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		it, err := u.dom.Reviews.Get(ctx, rc.who, id)
		if err != nil {
			return notFound(err)
		}
		e := newEntry(it)
		if it.Status != store.ReviewOpen || !e.Acceptable {
			continue
		}
		if _, _, err := u.dom.Reviews.Correct(ctx, rc.who, id, e.accept, ""); err != nil {
			return err
		}
		n++
	}
	fl.Bulk = n
	rc.sess.setFlash(fl)
	return rc.Redirect(http.StatusSeeOther, "/ui/review/bulk")
}

// itemOfPath reads the review item the path's id names, in the caller's
// scope: a 404 for an id that is malformed, unknown or out of scope.
func (u *UI) itemOfPath(rc *reqCtx) (store.ReviewItem, error) {
	return ofPath(rc, u.dom.Reviews.Get)
}
