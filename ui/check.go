package ui

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/report"
)

// The pharmacy's self-check: a scan or a phone photo of a sheet is read
// at once by the API's Checker (nothing is stored), and the verdict says
// what is fine, what is wrong and how to fix it before delivery, drawn on
// the picture: each slot's outline placed with the map the reader fitted
// to the sheet's markers (page.Result.Geometry), over the picture the
// browser already has (the file the person chose, shown from memory).

// problem is one thing to fix.
type problem struct {
	Key  string // catalogue key of what is wrong: "check.p.KIND"
	Fix  string // catalogue key of how to fix it
	Slot int    // 0: the whole sheet
	Args []any
}

// shape is one slot's outline on the picture, in source pixels.
type shape struct {
	Slot   int
	Points string
	Class  string // ok, bad, unread
	X, Y   float64
}

// verdict is one page of the checked file.
type verdict struct {
	Page        int
	Status      page.Status
	Code        string
	Pharmacy    string
	Progressive string
	Declared    *int
	Found       int
	Readable    int
	Problems    []problem
	W, H        int
	Shapes      []shape
	Schematic   string // the sheet drawn from the layout, when there is no map
}

type checkData struct {
	Verdicts []verdict
	File     string
}

// checkPage is the self-check's page.
func (u *UI) checkPage(rc *reqCtx) error { return u.ok(rc, "check", checkData{}) }

// check reads the file of field "file" and answers the verdict (an htmx
// fragment, or the whole page without script).
func (u *UI) check(rc *reqCtx) error {
	if u.dom.Checker == nil {
		return uiErrorf(http.StatusServiceUnavailable, "err.nopipeline")
	}
	req := rc.Request()
	if err := u.parseForm(rc, u.api.Limits().Check); err != nil {
		return err
	}
	defer req.MultipartForm.RemoveAll()
	files := req.MultipartForm.File["file"]
	if len(files) != 1 || files[0].Size == 0 {
		return uiErrorf(http.StatusBadRequest, "err.nofiles")
	}
	res, err := u.dom.Checker.Check(req.Context(), rc.who, toUpload(files[0]))
	if err != nil {
		return err
	}
	d := checkData{File: cleanName(files[0].Filename)}
	for i := range res {
		d.Verdicts = append(d.Verdicts, judge(&res[i], rc.who.Scope))
	}
	return u.ok(rc, "check", d)
}

// judge turns a page result into the verdict a pharmacy can act on.
func judge(r *page.Result, sc auth.Scope) verdict {
	v := verdict{Page: r.Page, Status: r.Status}
	s := r.Sheet
	if s.Code != nil {
		v.Code = s.Code.String()
	}
	if k, ok := s.Key(); ok {
		v.Pharmacy = k.AnyMonth().String()
		if sc.Role == auth.Pharmacy && !sc.Covers(k) {
			v.Problems = append(v.Problems, problem{Key: "check.p.foreign", Fix: "check.f.foreign", Args: []any{v.Pharmacy}})
		}
	}
	if s.Progressive != nil {
		v.Progressive = *s.Progressive
	}
	v.Declared = s.DeclaredCount
	if r.Status == page.Rejected {
		v.Problems = append(v.Problems, problem{Key: "check.p.rejected", Fix: "check.f.rejected", Args: []any{strings.Join(r.Reasons.Strings(), "; ")}})
	}
	codeSaid := false
	for _, reason := range r.Reasons {
		switch reason.Kind {
		case page.ReasonHeadUnread, page.ReasonTailUnread, page.ReasonInvalidCode, page.ReasonHeadTailMismatch:
			if !codeSaid {
				codeSaid = true
				v.Problems = append(v.Problems, problem{Key: "check.p.code", Fix: "check.f.code"})
			}
		case page.ReasonProgressiveUnread:
			v.Problems = append(v.Problems, problem{Key: "check.p.progressive", Fix: "check.f.progressive"})
		case page.ReasonCountUnread:
			v.Problems = append(v.Problems, problem{Key: "check.p.count", Fix: "check.f.count"})
		case page.ReasonDateUnread:
			v.Problems = append(v.Problems, problem{Key: "check.p.date", Fix: "check.f.date"})
		case page.ReasonDateOutsideMonth:
			v.Problems = append(v.Problems, problem{Key: "check.p.datemonth", Fix: "check.f.datemonth"})
		case page.ReasonLowResolution:
			v.Problems = append(v.Problems, problem{Key: "check.p.lowres", Fix: "check.f.lowres"})
		}
	}
	for _, sl := range r.Slots {
		if sl.State == page.Filled || sl.State == page.Unreadable {
			v.Found++
		}
		if sl.State == page.Filled {
			v.Readable++
		}
		if sl.State == page.Unreadable {
			v.Problems = append(v.Problems, problem{Key: "check.p.unreadable", Fix: "check.f.unreadable", Slot: sl.Slot})
		}
		for _, f := range page.RuleFlags() {
			if sl.HasFlag(f) {
				v.Problems = append(v.Problems, problem{Key: "check.p." + string(f), Fix: "check.f." + string(f), Slot: sl.Slot})
			}
		}
	}
	if r.Status != page.Rejected && s.DeclaredCount != nil && *s.DeclaredCount != v.Found {
		v.Problems = append(v.Problems, problem{Key: "check.p.countdiff", Fix: "check.f.countdiff", Args: []any{*s.DeclaredCount, v.Found}})
	}
	l := layout.Current()
	if r.LayoutVersion > 0 {
		if lv, err := layout.Version(r.LayoutVersion); err == nil {
			l = lv
		}
	}
	bad := map[int]string{}
	for _, p := range v.Problems {
		if p.Slot > 0 {
			if p.Key == "check.p.unreadable" {
				bad[p.Slot] = "unread"
			} else {
				bad[p.Slot] = "bad"
			}
		}
	}
	if g := r.Geometry; g != nil && g.Width > 0 && g.Height > 0 {
		v.W, v.H = g.Width, g.Height
		toSource := geom.Homography(g.ToSource) // layout mm to source pixels
		for _, sl := range r.Slots {
			if sl.State == page.Empty {
				continue
			}
			ls, ok := l.Slot(sl.Slot)
			if !ok {
				continue
			}
			rect := ls.Rect
			var pts []string
			var cx, cy float64
			for _, c := range [4]geom.Point{{X: rect.X, Y: rect.Y}, {X: rect.Right(), Y: rect.Y}, {X: rect.Right(), Y: rect.Bottom()}, {X: rect.X, Y: rect.Bottom()}} {
				p := toSource.Apply(c)
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
				cx, cy = cx+p.X/4, cy+p.Y/4
			}
			cls := "ok"
			if b, ok := bad[sl.Slot]; ok {
				cls = b
			}
			v.Shapes = append(v.Shapes, shape{Slot: sl.Slot, Points: strings.Join(pts, " "), Class: cls, X: cx, Y: cy})
		}
	} else if r.Status != page.Rejected {
		v.Schematic = report.SheetSVG(l, schematicView(r, bad), 300)
	}
	return v
}

// schematicView is a page result as a report sheet: slots matched (read)
// or unreadable, with the rule flags as issues.
func schematicView(r *page.Result, bad map[int]string) *reconcile.SheetView {
	v := &reconcile.SheetView{Source: r.Source, Page: r.Page, Status: r.Status}
	if r.Sheet.Progressive != nil {
		v.Sheet = *r.Sheet.Progressive
	}
	for _, sl := range r.Slots {
		sv := reconcile.SlotView{Slot: sl.Slot, Outcome: reconcile.SlotEmpty}
		switch sl.State {
		case page.Filled:
			sv.Outcome = string(reconcile.FMatched)
		case page.Unreadable:
			sv.Outcome = string(reconcile.FUnreadable)
		}
		if bad[sl.Slot] == "bad" {
			sv.Issues = []reconcile.Kind{reconcile.RuleBroken}
		}
		v.Slots = append(v.Slots, sv)
	}
	return v
}
