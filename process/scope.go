package process

import (
	"errors"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// The engine applies auth.AuthorizeWrite, the one write rule, at the two
// places where page data enters the system: when a page's result is
// recorded (the uploader's scope must cover the sheet read) and when a
// correction rebuilds a result (the corrector's and the uploader's
// scopes must cover the sheet). Imports are checked by package api
// before they are stored.

// uploader is the page's uploader as a party to a write.
func uploader(p store.Page) auth.Writer {
	return auth.Writer{Who: "the page's uploader", Scope: p.Owner}
}

// judgeScope returns the result to record for page p: res itself when
// the sheet read on it is inside the uploader's scope (or was not
// identified), else a rejected result with reason out_of_scope that keeps
// nothing of the sheet (no identity, no slots), so nothing of another
// scope's pharmacy is stored from this upload: no sheet row (reports,
// visibility), no slot rows (duplicate detection). The reason names the
// sheet read, for the uploader, who holds the paper.
func judgeScope(p store.Page, res *page.Result) *page.Result {
	id, ok := res.Sheet.Key()
	if !ok {
		return res
	}
	err := auth.AuthorizeWrite(id, uploader(p))
	var oe *auth.OutOfScopeError
	if !errors.As(err, &oe) {
		return res
	}
	code := ""
	if res.Sheet.Code != nil {
		code = "sheet " + res.Sheet.Code.String() + " of "
	}
	out := &page.Result{
		Source: res.Source, Page: res.Page, Status: page.Rejected,
		Reasons: page.Reasons{{Kind: page.ReasonOutOfScope, Detail: code + oe.Error() +
			": kept in this batch as rejected, not counted for that pharmacy"}},
		Orientation: res.Orientation, Slots: []page.Slot{}, LayoutVersion: res.LayoutVersion, Quality: res.Quality,
	}
	return out
}
