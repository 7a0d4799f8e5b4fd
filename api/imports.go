package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Imports stores declarations and records (SPEC section 4).
type Imports interface {
	// Declarations validates data (all or nothing: a *records.ValidationError
	// lists every problem), checks that every row is in the caller's scope,
	// stores the rows replacing those of the same pharmacy-months, and
	// reconciles those groups again.
	Declarations(ctx context.Context, who Principal, data []byte, source string, f records.Format) (ImportResult, error)
	// Records is Declarations for dispensing records.
	Records(ctx context.Context, who Principal, data []byte, source string, f records.Format) (ImportResult, error)
}

// ImportResult is an import's outcome.
type ImportResult struct {
	store.ImportSummary
	// Reconciled is false when the rows were stored but reconciling their
	// groups failed (the cause is logged; the next change retries).
	Reconciled bool
}

// storeImports is Imports over the store, with package records validating.
type storeImports struct {
	store      store.Store
	reconciler Reconciler
	log        *slog.Logger
}

func (im *storeImports) Declarations(ctx context.Context, who Principal, data []byte, source string, f records.Format) (ImportResult, error) {
	ds, err := records.ParseDeclarations(data, source, f)
	if err != nil {
		return ImportResult{}, err
	}
	return importRows(ctx, im, who, source, "declarations", ds, im.store.ImportDeclarations)
}

func (im *storeImports) Records(ctx context.Context, who Principal, data []byte, source string, f records.Format) (ImportResult, error) {
	rs, err := records.ParseRecords(data, source, f)
	if err != nil {
		return ImportResult{}, err
	}
	return importRows(ctx, im, who, source, "records", rs, im.store.ImportRecords)
}

// importRows is the rest of an import once its rows are parsed, the same
// for declarations and records (kind names them in the 403): every row in
// the caller's scope or nothing is stored, then save stores them and
// their groups are reconciled again.
func importRows[T records.Row](ctx context.Context, im *storeImports, who Principal, source, kind string, rows []T,
	save func(context.Context, store.Import, []T) (store.ImportSummary, error)) (ImportResult, error) {
	var out []records.Problem
	for _, r := range rows {
		if p, ok := outOfScope(who.Scope, source, r.Line(), r.Group()); !ok {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return ImportResult{}, scopeProblems(who.Scope, kind, out)
	}
	sum, err := save(ctx, store.Import{KeyID: who.KeyID, Source: source}, rows)
	if err != nil {
		return ImportResult{}, err
	}
	return im.reconcile(ctx, sum), nil
}

// reconcile recomputes the imported groups. The rows are stored whatever
// happens here, so a failure is logged and reported, not returned.
func (im *storeImports) reconcile(ctx context.Context, sum store.ImportSummary) ImportResult {
	if err := im.reconciler.Reconcile(ctx, sum.Groups); err != nil {
		im.log.Error("reconciling after import", "import", sum.ImportID, "groups", len(sum.Groups), "error", err)
		return ImportResult{ImportSummary: sum}
	}
	return ImportResult{ImportSummary: sum, Reconciled: true}
}

// outOfScope applies the one write rule (auth.AuthorizeWrite) to an
// imported row: the importer's scope must cover its pharmacy.
func outOfScope(sc auth.Scope, file string, line int, k sheet.Key) (records.Problem, bool) {
	err := auth.AuthorizeWrite(k, auth.Writer{Who: "this key", Scope: sc})
	if err == nil {
		return records.Problem{}, true
	}
	return records.Problem{File: file, Line: line, Message: err.Error()}, false
}

// scopeProblems is the 403 of an import naming rows outside the scope.
func scopeProblems(sc auth.Scope, kind string, ps []records.Problem) error {
	first := ps[0]
	return &httpError{Status: http.StatusForbidden, Problems: ps,
		Msg: fmt.Sprintf("%s rejected, nothing imported: %d row%s outside the scope of this key (%s), the first on line %d",
			kind, len(ps), plural(len(ps)), sc, first.Line)}
}

type importJSON struct {
	ImportID   int64       `json:"import_id"`
	Rows       int         `json:"rows"`
	Replaced   int         `json:"replaced"`
	Groups     []sheet.Key `json:"groups"`
	Reconciled bool        `json:"reconciled"`
}

// importBody reads an import request: its bytes, the name to use in
// messages (Content-Disposition filename, else "request body") and the
// format from the Content-Type the body middleware accepted.
func importBody(c echo.Context) ([]byte, string, records.Format, error) {
	req := c.Request()
	f := records.CSV
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == "application/json" {
		f = records.JSON
	}
	source := "request body"
	if _, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentDisposition)); err == nil && params["filename"] != "" {
		source = cleanName(params["filename"])
	}
	data, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, "", 0, err // a MaxBytesError is a 413
	}
	if len(data) == 0 {
		return nil, "", 0, errorf(http.StatusBadRequest, "%s: empty body: send the %s as CSV with a header row or as a JSON array", source, c.Path()[len("/v1/"):])
	}
	return data, source, f, nil
}

func (s *Server) importDeclarations(c echo.Context) error {
	return s.doImport(c, s.imports.Declarations)
}

func (s *Server) importRecords(c echo.Context) error {
	return s.doImport(c, s.imports.Records)
}

func (s *Server) doImport(c echo.Context, imp func(context.Context, Principal, []byte, string, records.Format) (ImportResult, error)) error {
	data, source, f, err := importBody(c)
	if err != nil {
		return err
	}
	res, err := imp(c.Request().Context(), mustPrincipal(c), data, source, f)
	if err != nil {
		return err
	}
	out := importJSON{ImportID: res.ImportID, Rows: res.Rows, Replaced: res.Replaced, Groups: append([]sheet.Key{}, res.Groups...), Reconciled: res.Reconciled}
	return c.JSON(http.StatusOK, out)
}
