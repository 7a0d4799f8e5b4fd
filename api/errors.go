package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/store"
)

// httpError is an error with the status and the message a client sees.
// Msg is written for the client and never contains an internal detail
// (paths, SQL, addresses); Cause is what went wrong inside, logged only.
type httpError struct {
	Status     int
	Msg        string
	Problems   []records.Problem
	RetryAfter time.Duration
	Cause      error
	// Foreign: Msg was written outside this package (the engine's, a
	// decoder's); absolute paths are scrubbed from it before it is shown.
	Foreign bool
}

func (e *httpError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Msg, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Msg)
}

func (e *httpError) Unwrap() error { return e.Cause }

func errorf(status int, format string, a ...any) *httpError {
	return &httpError{Status: status, Msg: fmt.Sprintf(format, a...)}
}

// wrap attaches a cause (for the log) to a client-facing error.
func wrap(status int, cause error, format string, a ...any) *httpError {
	return &httpError{Status: status, Msg: fmt.Sprintf(format, a...), Cause: cause}
}

// errorBody is the JSON of every error (SPEC section 7).
type errorBody struct {
	Error     string            `json:"error"`
	RequestID string            `json:"request_id"`
	Problems  []records.Problem `json:"problems,omitempty"`
	// ProblemsOmitted counts the problems beyond the first MaxProblems,
	// which are not listed.
	ProblemsOmitted int `json:"problems_omitted,omitempty"`
}

// MaxProblems is the most problems an error answer lists: a file of a
// hundred thousand bad rows must not make a 15 MB answer. The message and
// problems_omitted say how many more there were; the first ones are
// enough to fix the file's systematic mistakes.
const MaxProblems = 100

// StatusClientClosedRequest is the status recorded (log, metrics) for a
// request whose client went away before the answer: nothing is sent, and
// it is not the service's failure (nginx's 499).
const StatusClientClosedRequest = 499

// errClientGone: the client closed the connection or stopped sending the
// body before the service could answer.
var errClientGone = errors.New("client closed the request")

// classify maps any error a handler or middleware returns to what the
// client gets. Known domain errors keep their meaning; anything unknown is
// a 500 whose text stays in the log.
func classify(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	if errors.Is(err, errClientGone) {
		return wrap(StatusClientClosedRequest, err, "client closed the request")
	}
	var ee *echo.HTTPError
	if errors.As(err, &ee) {
		msg := http.StatusText(ee.Code)
		switch ee.Code {
		case http.StatusNotFound:
			msg = "no such path"
		case http.StatusMethodNotAllowed:
			msg = "method not allowed on this path"
		}
		return &httpError{Status: ee.Code, Msg: msg, Cause: err}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return wrap(http.StatusRequestEntityTooLarge, err, "request body over the limit of %d bytes", mbe.Limit)
	}
	var ve *records.ValidationError
	if errors.As(err, &ve) {
		n := len(ve.Problems)
		return &httpError{Status: http.StatusBadRequest, Problems: ve.Problems, Cause: err,
			Msg: fmt.Sprintf("%s: %s rejected, nothing imported: %d problem%s (see problems)", ve.File, ve.Kind, n, plural(n))}
	}
	var se *scanfile.Error
	if errors.As(err, &se) {
		return scanError(se, err)
	}
	switch {
	case errors.Is(err, ErrNotReady):
		return wrap(http.StatusConflict, err, "not ready yet")
	case errors.Is(err, store.ErrNotFound):
		return wrap(http.StatusNotFound, err, "not found")
	case errors.Is(err, store.ErrConflict):
		return wrap(http.StatusConflict, err, "conflicts with the current state")
	case errors.Is(err, store.ErrInvalid):
		return wrap(http.StatusBadRequest, err, "invalid input")
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's read deadline (the route's time limit) passed
		// while the body was still arriving.
		return wrap(http.StatusRequestTimeout, err, "the request body did not arrive within this route's time limit")
	case errors.Is(err, context.DeadlineExceeded):
		return wrap(http.StatusServiceUnavailable, err, "the request took too long")
	case errors.Is(err, context.Canceled):
		return wrap(http.StatusServiceUnavailable, err, "the request was canceled")
	}
	return wrap(http.StatusInternalServerError, err, "internal error")
}

// scanError maps a decoding failure. The message is built from the kind and
// reason only: the source path names a file in the blob store.
func scanError(se *scanfile.Error, err error) *httpError {
	where := ""
	if se.Page > 0 {
		where = fmt.Sprintf(" (page %d)", se.Page)
	}
	switch se.Kind {
	case scanfile.KindTooBig:
		return wrap(http.StatusRequestEntityTooLarge, err, "file too large%s", where)
	case scanfile.KindIO:
		return wrap(http.StatusInternalServerError, err, "internal error")
	case scanfile.KindCanceled:
		return wrap(http.StatusServiceUnavailable, err, "the request was canceled")
	}
	he := wrap(http.StatusUnprocessableEntity, err, "unreadable file%s: %s", where, se.Reason)
	he.Foreign = true
	return he
}

// absPath matches an absolute file path of two segments or more.
var absPath = regexp.MustCompile(`(^|[\s'"(=])/[\w.+-]+(?:/[\w.+-]+)+`)

// scrubPaths removes absolute paths from a client message: decoders and
// tools name the file they were given, which on the server is a path in
// the blob store or a temporary file, and the client has no use for it.
func scrubPaths(msg string) string {
	return absPath.ReplaceAllString(msg, "${1}<file>")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// handleError is echo's HTTPErrorHandler: every error of every route ends
// here, is logged with its cause and request id, and becomes the JSON
// error shape.
func (s *Server) handleError(err error, c echo.Context) {
	// A request whose client left is not a failure of the service,
	// whatever error reading or writing then gave (issue 13: such requests
	// were logged as 500 ERROR).
	if errors.Is(c.Request().Context().Err(), context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("%w: %w", errClientGone, err)
	}
	he := classify(err)
	rid := requestID(c)
	attrs := []any{"request_id", rid, "method", c.Request().Method, "route", c.Path(), "status", he.Status, "error", he.Msg}
	if p, ok := principalOf(c); ok {
		attrs = append(attrs, "key", p.KeyID)
	}
	if he.Cause != nil {
		attrs = append(attrs, "cause", he.Cause.Error())
	}
	level := slog.LevelInfo
	if he.Status >= 500 {
		level = slog.LevelError
	}
	if he.Status == StatusClientClosedRequest {
		level = slog.LevelInfo // not the service's failure
	}
	s.log.Log(context.WithoutCancel(c.Request().Context()), level, "request failed", attrs...)
	if c.Response().Committed {
		return // a stream already started: nothing more can be said
	}
	if he.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((he.RetryAfter+time.Second-1)/time.Second)))
	}
	if he.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="regfus"`)
	}
	msg := he.Msg
	if he.Foreign {
		msg = scrubPaths(msg)
	}
	body := errorBody{Error: msg, RequestID: rid, Problems: he.Problems}
	if n := len(body.Problems); n > MaxProblems {
		body.Problems, body.ProblemsOmitted = body.Problems[:MaxProblems], n-MaxProblems
		body.Error += fmt.Sprintf(" (the first %d problems are listed, %d more are not)", MaxProblems, n-MaxProblems)
	}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(he.Status)
	} else {
		werr = c.JSON(he.Status, body)
	}
	if werr != nil {
		s.log.Warn("writing error response", "request_id", rid, "error", werr)
	}
}
