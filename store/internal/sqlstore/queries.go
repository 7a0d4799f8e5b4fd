package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// statement is one named statement of queries.sql, rendered for a dialect.
type statement struct{ name, text string }

// statements holds every statement of queries.sql, one field per
// "-- name:" (field name = query name; loadStatements fills them and
// refuses a text with one more or one less).
type statements struct {
	InsertKey, GetKey, LookupKey, ListKeys, RevokeKey statement

	InsertBatch, InsertFile, GetFilePages, InsertBatchFile, LockFile, FindPageSet, HasFile, InsertPage statement
	GetBatch, ListBatches, ListPages, GetPage                                                          statement

	FailExhausted, ClaimPage, ExtendLease, ReleasePage, LockPage                 statement
	FinishPage, FailPage, UpdatePageResult, DeleteSlots, InsertSlot, DeleteSheet statement
	InsertSheet, InsertReview, QueueDepth, ListSheetResults, FindTargature       statement
	InsertImport, DeleteDeclarationsGroup, InsertDeclaration                     statement
	DeleteRecordsGroup, InsertRecord, ListDeclarations, ListRecords              statement
	PutReconciliation, GetReconciliation, ListReconciliations                    statement
	ListReconciliationReports, ListReconciliationSummaries                       statement

	ListReview, GetReview, ListCorrections, InsertCorrection, ResolveReview, SetReviewSuggestion statement
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries runs the statements: one typed method per statement, named as
// it, taking the statement's parameters as Go values (empty strings and
// zero numbers become NULL where the column is optional) and returning
// errors that name the statement and the dialect.
type queries struct {
	st statements
	d  Dialect
}

// row is one row of a statement; Scan's errors name the statement
// (sql.ErrNoRows stays recognisable with errors.Is).
type row struct {
	r    *sql.Row
	name string
	q    *queries
}

func (r row) Scan(dest ...any) error {
	if err := r.r.Scan(dest...); err != nil {
		return r.q.wrap(r.name, err)
	}
	return nil
}

// rows are the rows of a statement; see collect.
type rows struct {
	*sql.Rows
	name string
	q    *queries
}

// scanner is a row or rows.
type scanner interface{ Scan(dest ...any) error }

// collect reads every row with scan, closing rows.
func collect[T any](rs *rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, rs.q.wrap(rs.name, err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		return nil, rs.q.wrap(rs.name, err)
	}
	return out, nil
}

func (q *queries) wrap(name string, err error) error {
	if q.d.IsUniqueViolation != nil && q.d.IsUniqueViolation(err) {
		return fmt.Errorf("%s %s: %w: %v", q.d.Name, name, store.ErrConflict, err)
	}
	return fmt.Errorf("%s %s: %w", q.d.Name, name, err)
}

func (q *queries) exec(ctx context.Context, db querier, st statement, args ...any) (int64, error) {
	r, err := db.ExecContext(ctx, st.text, args...)
	if err != nil {
		return 0, q.wrap(st.name, err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

func (q *queries) row(ctx context.Context, db querier, st statement, args ...any) row {
	return row{r: db.QueryRowContext(ctx, st.text, args...), name: st.name, q: q}
}

func (q *queries) query(ctx context.Context, db querier, st statement, args ...any) (*rows, error) {
	r, err := db.QueryContext(ctx, st.text, args...)
	if err != nil {
		return nil, q.wrap(st.name, err)
	}
	return &rows{Rows: r, name: st.name, q: q}, nil
}

// t converts a time for a parameter: NULL for the zero time, else UTC to
// the microsecond, in the dialect's representation.
func (q *queries) t(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return q.d.Time(t.UTC().Truncate(time.Microsecond))
}

// scope is a scope's three parameters (nil = unrestricted).
func scope(sc auth.Scope, more ...any) []any {
	r, a, p := sc.Filter()
	return append([]any{r, a, p}, more...)
}

// groupFilter is the parameters of {{inGroup}}: scope, then filter.
func groupFilter(f store.GroupFilter, more ...any) []any {
	return scope(f.Scope, append([]any{nullStr(f.Region), nullStr(f.ASL), nullStr(f.Pharmacy), nullStr(f.Competence)}, more...)...)
}

func group(g sheet.Key, more ...any) []any {
	return append([]any{g.Region, g.ASL, g.Pharmacy, g.Competence}, more...)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// ptrText is a code's text, or NULL.
func ptrText(c *sheet.Code) any {
	if c == nil {
		return nil
	}
	return c.String()
}

func ptrStr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func limitArg(n int) int64 {
	if n <= 0 {
		return 1<<31 - 1
	}
	return int64(n)
}

// ---- API keys

func (q *queries) InsertKey(ctx context.Context, db querier, k store.APIKey) error {
	_, err := q.exec(ctx, db, q.st.InsertKey, append([]any{k.ID, k.Hash, string(k.Scope.Role)},
		scope(k.Scope, k.Label, q.t(k.CreatedAt))...)...)
	return err
}

func (q *queries) GetKey(ctx context.Context, db querier, id string) row {
	return q.row(ctx, db, q.st.GetKey, id)
}

func (q *queries) LookupKey(ctx context.Context, db querier, hash []byte) row {
	return q.row(ctx, db, q.st.LookupKey, hash)
}

func (q *queries) ListKeys(ctx context.Context, db querier) (*rows, error) {
	return q.query(ctx, db, q.st.ListKeys)
}

// RevokeKey sets the revocation time unless the key has one.
func (q *queries) RevokeKey(ctx context.Context, db querier, id string, at time.Time) error {
	_, err := q.exec(ctx, db, q.st.RevokeKey, id, q.t(at))
	return err
}

// ---- batches, files and pages

// InsertBatch returns the batch id.
func (q *queries) InsertBatch(ctx context.Context, db querier, ownerKeyID string, owner auth.Scope, at time.Time) row {
	return q.row(ctx, db, q.st.InsertBatch, append([]any{nullStr(ownerKeyID)}, scope(owner, q.t(at))...)...)
}

// InsertFile returns the file's pages, or no row if the file is known.
func (q *queries) InsertFile(ctx context.Context, db querier, f store.NewFile, at time.Time) row {
	return q.row(ctx, db, q.st.InsertFile, f.SHA256, f.Name, f.Size, f.MediaType, f.BlobPath, f.Pages, q.t(at))
}

func (q *queries) GetFilePages(ctx context.Context, db querier, sha string) row {
	return q.row(ctx, db, q.st.GetFilePages, sha)
}

// LockFile locks the file's row (PostgreSQL) until the transaction ends.
func (q *queries) LockFile(ctx context.Context, db querier, sha string) error {
	var locked string
	return q.row(ctx, db, q.st.LockFile, sha).Scan(&locked)
}

// FindPageSet returns the batch that created the file's pages for the
// owner scope (NULL if none did).
func (q *queries) FindPageSet(ctx context.Context, db querier, sha string, owner auth.Scope) row {
	return q.row(ctx, db, q.st.FindPageSet, append([]any{sha}, scope(owner)...)...)
}

func (q *queries) InsertPage(ctx context.Context, db querier, batchID int64, sha string, index int, at time.Time) error {
	_, err := q.exec(ctx, db, q.st.InsertPage, batchID, sha, index, q.t(at))
	return err
}

// InsertBatchFile returns 0 when the batch already lists the file.
func (q *queries) InsertBatchFile(ctx context.Context, db querier, batchID int64, sha string, position int, name string, origin int64) (int64, error) {
	return q.exec(ctx, db, q.st.InsertBatchFile, batchID, sha, position, name, origin)
}

func (q *queries) HasFile(ctx context.Context, db querier, sha string) row {
	return q.row(ctx, db, q.st.HasFile, sha)
}

// GetBatch and ListBatches return batch columns (scanBatch).
func (q *queries) GetBatch(ctx context.Context, db querier, id int64, sc auth.Scope) row {
	return q.row(ctx, db, q.st.GetBatch, append([]any{id}, scope(sc)...)...)
}

func (q *queries) ListBatches(ctx context.Context, db querier, sc auth.Scope, limit int) (*rows, error) {
	return q.query(ctx, db, q.st.ListBatches, scope(sc, limitArg(limit))...)
}

// ListPages, GetPage and ListSheetResults return page columns (scanPage).
func (q *queries) ListPages(ctx context.Context, db querier, batchID int64, sc auth.Scope) (*rows, error) {
	return q.query(ctx, db, q.st.ListPages, append([]any{batchID}, scope(sc)...)...)
}

func (q *queries) GetPage(ctx context.Context, db querier, id int64, sc auth.Scope) row {
	return q.row(ctx, db, q.st.GetPage, append([]any{id}, scope(sc)...)...)
}

func (q *queries) ListSheetResults(ctx context.Context, db querier, f store.GroupFilter) (*rows, error) {
	return q.query(ctx, db, q.st.ListSheetResults, groupFilter(f)...)
}

// ---- work distribution

// FailExhausted fails the running pages whose lease ran out after
// maxAttempts claims.
func (q *queries) FailExhausted(ctx context.Context, db querier, now time.Time, maxAttempts int) error {
	_, err := q.exec(ctx, db, q.st.FailExhausted, q.t(now), maxAttempts)
	return err
}

// ClaimPage returns the id of the page it leased, or no row.
func (q *queries) ClaimPage(ctx context.Context, db querier, now, until time.Time, token string, maxAttempts int) row {
	return q.row(ctx, db, q.st.ClaimPage, q.t(now), q.t(until), token, maxAttempts)
}

// ExtendLease and ReleasePage return 0 when the claim is not live.
func (q *queries) ExtendLease(ctx context.Context, db querier, id int64, token string, until time.Time) (int64, error) {
	return q.exec(ctx, db, q.st.ExtendLease, id, token, q.t(until))
}

func (q *queries) ReleasePage(ctx context.Context, db querier, id int64, token string) (int64, error) {
	return q.exec(ctx, db, q.st.ReleasePage, id, token)
}

// LockPage returns the page's state and lease token, locking its row.
func (q *queries) LockPage(ctx context.Context, db querier, id int64) row {
	return q.row(ctx, db, q.st.LockPage, id)
}

// FinishPage records a page's result; result is its JSON.
func (q *queries) FinishPage(ctx context.Context, db querier, id int64, status string, result []byte, layout int, at time.Time, millis int64) error {
	_, err := q.exec(ctx, db, q.st.FinishPage, id, status, string(result), nullInt(layout), q.t(at), millis)
	return err
}

func (q *queries) FailPage(ctx context.Context, db querier, id int64, reason string, at time.Time) error {
	_, err := q.exec(ctx, db, q.st.FailPage, id, reason, q.t(at))
	return err
}

func (q *queries) UpdatePageResult(ctx context.Context, db querier, id int64, status string, result []byte, layout int) error {
	_, err := q.exec(ctx, db, q.st.UpdatePageResult, id, status, string(result), nullInt(layout))
	return err
}

func (q *queries) DeleteSlots(ctx context.Context, db querier, pageID int64) error {
	_, err := q.exec(ctx, db, q.st.DeleteSlots, pageID)
	return err
}

// InsertSlot stores a slot; flags is its flags' JSON array.
func (q *queries) InsertSlot(ctx context.Context, db querier, pageID int64, slot int, state string, aic, targatura *string, confidence float64, flags []byte) error {
	_, err := q.exec(ctx, db, q.st.InsertSlot, pageID, slot, state, ptrStr(aic), ptrStr(targatura), confidence, string(flags))
	return err
}

func (q *queries) DeleteSheet(ctx context.Context, db querier, pageID int64) error {
	_, err := q.exec(ctx, db, q.st.DeleteSheet, pageID)
	return err
}

// sheetRow is a row of the sheets table: the identity read from a page.
type sheetRow struct {
	code, tailCode    *sheet.Code
	progressive, date *string
	key               sheet.Key // Competence "" when the month was not read
	dispensario       bool
	declaredCount     *int
}

func (q *queries) InsertSheet(ctx context.Context, db querier, pageID int64, s sheetRow) error {
	var count any
	if s.declaredCount != nil {
		count = int64(*s.declaredCount)
	}
	_, err := q.exec(ctx, db, q.st.InsertSheet, pageID, ptrText(s.code), ptrText(s.tailCode), s.key.Region, s.key.ASL, s.key.Pharmacy,
		nullStr(s.key.Competence), ptrStr(s.progressive), s.dispensario, count, ptrStr(s.date))
	return err
}

func (q *queries) InsertReview(ctx context.Context, db querier, pageID int64, it store.NewReviewItem, at time.Time) error {
	sug, err := suggestionArg(it.Suggestion)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, db, q.st.InsertReview, pageID, nullInt(it.Slot), it.Field, it.Reason, nullJSON(it.Value), sug, q.t(at))
	return err
}

// suggestionArg is a suggestion's JSON, or NULL.
func suggestionArg(s *page.Suggestion) (any, error) {
	if s == nil {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (q *queries) QueueDepth(ctx context.Context, db querier) row {
	return q.row(ctx, db, q.st.QueueDepth)
}

// FindTargature returns the slots holding any of the targature.
func (q *queries) FindTargature(ctx context.Context, db querier, targature []string) (*rows, error) {
	list, err := json.Marshal(targature)
	if err != nil {
		return nil, err
	}
	return q.query(ctx, db, q.st.FindTargature, string(list))
}

// ---- imports

// InsertImport returns the import's id.
func (q *queries) InsertImport(ctx context.Context, db querier, kind store.ImportKind, imp store.Import, rows int, at time.Time) row {
	return q.row(ctx, db, q.st.InsertImport, string(kind), nullStr(imp.KeyID), imp.Source, rows, q.t(at))
}

// DeleteDeclarationsGroup and DeleteRecordsGroup return the rows removed.
func (q *queries) DeleteDeclarationsGroup(ctx context.Context, db querier, g sheet.Key) (int64, error) {
	return q.exec(ctx, db, q.st.DeleteDeclarationsGroup, group(g)...)
}

func (q *queries) DeleteRecordsGroup(ctx context.Context, db querier, g sheet.Key) (int64, error) {
	return q.exec(ctx, db, q.st.DeleteRecordsGroup, group(g)...)
}

// InsertDeclaration stores a declaration: amounts in integer cents, no
// extra columns (the extra column of the schema stays NULL).
func (q *queries) InsertDeclaration(ctx context.Context, db querier, importID int64, d records.Declaration) error {
	_, err := q.exec(ctx, db, q.st.InsertDeclaration, importID, d.Region, d.ASL, d.Pharmacy, d.Competence, string(d.Bundle),
		d.Sheets, int64(d.GrossAmount), int64(d.Ticket), nil)
	return err
}

// InsertRecord stores a record: dates as YYYY-MM-DD text (NULL for a zero
// ClosedOn), the sheet's progressive as printed (NULL when the counter
// software assigned none), no extra columns.
func (q *queries) InsertRecord(ctx context.Context, db querier, importID int64, r records.Record) error {
	var progressive any
	if r.Sheet != (sheet.Progressive{}) {
		progressive = r.Sheet.String()
	}
	var closed any
	if !r.ClosedOn.IsZero() {
		closed = r.ClosedOn.Format(time.DateOnly)
	}
	_, err := q.exec(ctx, db, q.st.InsertRecord, importID, r.ID, r.Region, r.ASL, r.Pharmacy, r.Competence,
		r.DispensedOn.Format(time.DateOnly), r.Prescription, string(r.AIC), string(r.Targatura), progressive, nullInt(r.Slot), string(r.State),
		closed, string(r.Signature), nullStr(r.SignedDocumentID), nil)
	return err
}

func (q *queries) ListDeclarations(ctx context.Context, db querier, f store.GroupFilter) (*rows, error) {
	return q.query(ctx, db, q.st.ListDeclarations, groupFilter(f)...)
}

func (q *queries) ListRecords(ctx context.Context, db querier, f store.GroupFilter) (*rows, error) {
	return q.query(ctx, db, q.st.ListRecords, groupFilter(f)...)
}

// ---- reconciliations

// PutReconciliation stores or replaces a group's report and its summary.
func (q *queries) PutReconciliation(ctx context.Context, db querier, r store.Reconciliation) error {
	_, err := q.exec(ctx, db, q.st.PutReconciliation, group(r.Group, string(r.Report), q.t(r.ComputedAt), string(r.Summary))...)
	return err
}

// GetReconciliation and the listings return reconciliation columns
// (scanReconciliation).
func (q *queries) GetReconciliation(ctx context.Context, db querier, g sheet.Key, sc auth.Scope) row {
	return q.row(ctx, db, q.st.GetReconciliation, group(g, scope(sc)...)...)
}

func (q *queries) ListReconciliations(ctx context.Context, db querier, f store.GroupFilter) (*rows, error) {
	return q.query(ctx, db, q.st.ListReconciliations, groupFilter(f)...)
}

// ListReconciliationPage returns the page of rq: reports, or summaries in
// their place.
func (q *queries) ListReconciliationPage(ctx context.Context, db querier, rq store.ReconciliationQuery) (*rows, error) {
	st := q.st.ListReconciliationReports
	if rq.Summaries {
		st = q.st.ListReconciliationSummaries
	}
	return q.query(ctx, db, st, groupFilter(rq.Filter, group(rq.After, rq.Limit)...)...)
}

// ---- review

// ListReview and GetReview return review columns (scanReview).
func (q *queries) ListReview(ctx context.Context, db querier, f store.ReviewFilter) (*rows, error) {
	return q.query(ctx, db, q.st.ListReview, scope(f.Scope, nullStr(string(f.Status)), f.BatchID, f.PageID, limitArg(f.Limit))...)
}

func (q *queries) GetReview(ctx context.Context, db querier, id int64, sc auth.Scope) row {
	return q.row(ctx, db, q.st.GetReview, append([]any{id}, scope(sc)...)...)
}

func (q *queries) ListCorrections(ctx context.Context, db querier, itemID int64) (*rows, error) {
	return q.query(ctx, db, q.st.ListCorrections, itemID)
}

// InsertCorrection stores a correction; before is NULL when empty.
func (q *queries) InsertCorrection(ctx context.Context, db querier, c store.NewCorrection, at time.Time, before json.RawMessage) error {
	_, err := q.exec(ctx, db, q.st.InsertCorrection, c.ItemID, nullStr(c.KeyID), q.t(at), nullJSON(before), string(c.After), nullStr(c.Note))
	return err
}

func (q *queries) ResolveReview(ctx context.Context, db querier, id int64, at time.Time) error {
	_, err := q.exec(ctx, db, q.st.ResolveReview, id, q.t(at))
	return err
}

// SetReviewSuggestion sets (sug) or clears (nil) the suggestion of the
// page's open items of field that hold none or one of source.
func (q *queries) SetReviewSuggestion(ctx context.Context, db querier, pageID int64, field, source string, sug *page.Suggestion) error {
	arg, err := suggestionArg(sug)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, db, q.st.SetReviewSuggestion, pageID, field, source, arg)
	return err
}

// errNoRows reports whether err is a statement's "no row".
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// one returns what a statement read, or store.ErrNotFound naming the
// thing (format, args) when it found no row.
func one[T any](v T, err error, format string, args ...any) (T, error) {
	var zero T
	if errNoRows(err) {
		return zero, fmt.Errorf(format+": %w", append(args, store.ErrNotFound)...)
	}
	if err != nil {
		return zero, err
	}
	return v, nil
}
