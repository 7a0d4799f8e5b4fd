package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

type nopReconciler struct{}

func (nopReconciler) Reconcile(context.Context, []sheet.Key) error { return nil }

func TestLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(2, 3) // 2/s, bursts of 3
	for i := 0; i < 3; i++ {
		if _, ok := l.allow("a", t0); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	wait, ok := l.allow("a", t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request at once: ok=%v wait=%v, want refused, 500ms", ok, wait)
	}
	if _, ok := l.allow("b", t0); !ok {
		t.Fatal("another key is limited by the first one's use")
	}
	if _, ok := l.allow("a", t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("a token did not come back after 500ms")
	}
	if _, ok := l.allow("a", t0.Add(500*time.Millisecond)); ok {
		t.Fatal("two tokens after 500ms")
	}
	// Idle buckets are dropped once full again.
	l.allow("a", t0.Add(10*time.Minute))
	if _, ok := l.buckets["b"]; ok {
		t.Fatal("the idle bucket of b was kept")
	}
	if _, ok := newLimiter(-1, 1).allow("x", t0); !ok {
		t.Fatal("a disabled limiter refused")
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	ve := &records.ValidationError{File: "r.csv", Kind: "records", Problems: []records.Problem{{File: "r.csv", Line: 3, Column: 7, Field: "aic", Message: "bad"}}}
	for _, c := range []struct {
		name   string
		err    error
		status int
		msg    string // substring of the client's message
		hidden string // must not appear in the client's message
	}{
		{"not found", fmt.Errorf("batch 7: %w", store.ErrNotFound), 404, "not found", ""},
		{"conflict with SQL detail", fmt.Errorf("sqlite InsertX: %w: UNIQUE constraint failed: files.sha256", store.ErrConflict), 409, "conflicts", "UNIQUE"},
		{"invalid", fmt.Errorf("x: %w: pg detail", store.ErrInvalid), 400, "invalid input", "pg detail"},
		{"validation", fmt.Errorf("wrapped: %w", ve), 400, "r.csv: records rejected", ""},
		{"unreadable scan", &scanfile.Error{Source: "/data/blobs/ab/cd/abcd", Kind: scanfile.KindUnsupported, Reason: "unsupported format (looks like text)"}, 422, "looks like text", "/data/blobs"},
		{"too big scan", &scanfile.Error{Source: "/x", Kind: scanfile.KindTooBig, Reason: "too big"}, 413, "too large", "/x"},
		{"overloaded", Overloaded(7*time.Second, errors.New("queue 99/10")), 503, "overloaded", "queue 99"},
		{"unreadable", Unreadable("unreadable: a.txt: not an image", errors.New("inner")), 422, "a.txt", "inner"},
		{"invalid from engine", Invalid(errors.New("review item 3: want an integer")), 400, "want an integer", ""},
		{"max bytes", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, "limit of 10 bytes", ""},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "too long", ""},
		{"echo 404", echo.ErrNotFound, 404, "no such path", ""},
		{"echo 405", echo.ErrMethodNotAllowed, 405, "method not allowed", ""},
		{"unknown", errors.New("dial tcp 10.0.0.5:5432: connection refused"), 500, "internal error", "10.0.0.5"},
		{"not ready", fmt.Errorf("page 3: %w", ErrNotReady), 409, "not ready", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			he := classify(c.err)
			if he.Status != c.status || !strings.Contains(he.Msg, c.msg) {
				t.Errorf("classify = %d %q, want %d with %q", he.Status, he.Msg, c.status, c.msg)
			}
			if c.hidden != "" && strings.Contains(he.Msg, c.hidden) {
				t.Errorf("client message %q leaks %q", he.Msg, c.hidden)
			}
		})
	}
	if he := classify(Overloaded(7*time.Second, nil)); he.RetryAfter != 7*time.Second {
		t.Errorf("Retry-After %v", he.RetryAfter)
	}
	if he := classify(fmt.Errorf("x: %w", ve)); len(he.Problems) != 1 || he.Problems[0].Line != 3 {
		t.Errorf("problems not kept: %+v", he.Problems)
	}
}

// eachCase checks f (named name in the messages) on every input of cases
// against the output wanted for it.
func eachCase[In, Out comparable](t *testing.T, name string, f func(In) Out, cases map[In]Out) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%#v) = %#v, want %#v", name, in, got, want)
		}
	}
}

func TestScrubPaths(t *testing.T) {
	t.Parallel()
	eachCase(t, "scrubPaths", scrubPaths, map[string]string{
		"unreadable: a.pdf: corrupt: Syntax Error: Couldn't open file '/data/blobs/ab/cd/abcd': no": "unreadable: a.pdf: corrupt: Syntax Error: Couldn't open file '<file>': no",
		"open /tmp/regfus-check-123: no such file":                                                  "open <file>: no such file",
		"batch 3 not found":                          "batch 3 not found",
		"role station may not POST /v1/declarations": "role station may not POST <file>",
		"amount 1/2 is not a number":                 "amount 1/2 is not a number",
	})
}

func TestCleanName(t *testing.T) {
	t.Parallel()
	eachCase(t, "cleanName", cleanName, map[string]string{
		"scan.png":               "scan.png",
		"C:\\scans\\jan.tif":     "jan.tif",
		"../../etc/passwd":       "passwd",
		"a\x00b\nc.pdf":          "abc.pdf",
		"":                       "upload",
		"/":                      "upload",
		strings.Repeat("x", 300): strings.Repeat("x", 200),
		// Cut between characters, never inside one (issue 13: PostgreSQL
		// refused the half character with a 500).
		"x" + strings.Repeat("è", 150): "x" + strings.Repeat("è", 99),
		"bad\xffbyte.png":              "bad\uFFFDbyte.png",
	})
}

func TestSaneRequestID(t *testing.T) {
	t.Parallel()
	eachCase(t, "saneRequestID", saneRequestID, map[string]bool{
		"abc-123_X.y": true, "": false, "a b": false, "a\nb": false, strings.Repeat("a", 129): false, "é": false,
	})
}

// TestReviewViewSuggestion: a review item's suggestion is shown as the
// page's (text, confidence, source, why), and as null when there is none:
// the member is always there, as the OpenAPI document says.
func TestReviewViewSuggestion(t *testing.T) {
	sug := &page.Suggestion{Text: "D7", Confidence: 0.875, Source: page.SourceHandwritten, Why: "a character below 0.990 confidence"}
	for _, c := range []struct {
		sug  *page.Suggestion
		want string
	}{
		{sug, `{"text":"D7","confidence":0.875,"source":"handwritten","why":"a character below 0.990 confidence"}`},
		// The scan order's: no confidence, and it says so (0, not absent).
		{&page.Suggestion{Text: "5", Source: page.SourceScanOrder, Why: "scanned between 4 and 6"},
			`{"text":"5","confidence":0,"source":"scan_order","why":"scanned between 4 and 6"}`},
		{nil, `null`},
	} {
		b, err := json.Marshal(reviewView(store.ReviewItem{ID: 3, Field: "progressive", Suggestion: c.sug}))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if s, ok := got["suggestion"]; !ok || string(s) != c.want {
			t.Errorf("suggestion %+v: shown as %s (present %v), want %s", c.sug, s, ok, c.want)
		}
	}
}
