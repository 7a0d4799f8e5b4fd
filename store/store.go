// Package store is regfus's persistence contract: the domain-level
// interface the service, the workers and the CLI use, and its types. Two
// implementations honour it with the same semantics, checked by one
// conformance suite (package storetest):
//
//   - store/postgres: PostgreSQL through pgx v5 (pgxpool), the production
//     store; River's job tables live in the same database;
//   - store/sqlite: pure-Go SQLite (modernc.org/sqlite) in a data folder, the
//     embedded default that lets one command start a working service.
//
// Both are thin: they supply migrations and SQL text, and share one Go
// implementation of the semantics (store/internal/sqlstore) over
// database/sql, so the two cannot drift apart.
//
// # Scope
//
// Every read a caller can reach through the API takes the caller's
// auth.Scope, and the filter is part of the SQL, never applied afterwards.
// Something out of scope is indistinguishable from something that does not
// exist (ErrNotFound), so ids cannot be probed.
//
//   - A batch carries the scope of the key that uploaded it (its owner); a
//     caller sees it when its scope covers the owner's (auth.Scope.Covers).
//   - A page is seen by a caller whose scope covers the owner of the batch
//     that created it (its own uploads: pages are shared only among
//     uploads of one scope, see below), or the sheet identity read from
//     the page (region, ASL, pharmacy). So a pharmacy sees the pages of its
//     sheets read in a station's batch, and a station sees what it
//     uploaded, but nobody gains access to a page by uploading the same
//     bytes as someone else.
//   - Review items follow their page; declarations, records and
//     reconciliations follow their region/ASL/pharmacy.
//
// # Files and pages
//
// A file is known by its sha256 (package blob stores the bytes). Its pages
// are created with the first batch of an owner scope (region, ASL,
// pharmacy) that uploads it, and are processed once for that scope: a
// later batch of the same scope with the same bytes shares them, and
// CreateBatch reports the file as already known. A batch of another scope
// gets pages of its own, read and judged against its own scope (issue 13:
// the same bytes must not carry one uploader's access or verdict to
// another). A page set is named by the file and the batch that created it
// (Page.BatchID, whose owner is Page.Owner). Batch status and counts are
// derived from the pages in the query, never stored, so they cannot go
// stale.
//
// # Work distribution
//
// A page is queued, then running (claimed under a lease), then done (with a
// page.Result) or failed. ClaimPage serves an in-process worker pool: a
// claim holds a random token and a lease deadline; a page whose lease ran
// out (its worker crashed) is claimed again, up to MaxAttempts, after which
// it is failed. CompletePage with the token of a lost lease is refused
// (ErrLeaseLost), so a page is recorded exactly once. With PostgreSQL the
// same table is the truth while River distributes jobs: a River worker
// completes a page without a token, and a page already done is ErrConflict.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
)

// Errors every implementation returns (wrapped, with detail); test with
// errors.Is.
var (
	// ErrNotFound: no such thing, or not in the caller's scope.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the operation contradicts the current state (a page
	// already done, a key hash already stored).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input cannot be stored as given (no files, duplicate
	// rows in one import); the message names the row.
	ErrInvalid = errors.New("invalid input")
	// ErrNoWork: ClaimPage found no page to claim.
	ErrNoWork = errors.New("no page waiting")
	// ErrLeaseLost: the claim's lease expired and the page was claimed again
	// or requeued; the caller's result must be dropped.
	ErrLeaseLost = errors.New("page lease lost")
	// ErrRevoked: LookupKey found the key but it was revoked.
	ErrRevoked = errors.New("API key revoked")
	// ErrQueueFull: CreateBatch would take the queue over NewBatch.MaxQueue;
	// use errors.As with *QueueFullError for the figures.
	ErrQueueFull = errors.New("queue full")
)

// QueueFullError is ErrQueueFull with its figures: Depth pages were
// queued or running, the batch would add Adding, the limit is Max.
type QueueFullError struct {
	Depth, Adding, Max int
}

func (e *QueueFullError) Error() string {
	return fmt.Sprintf("queue full: %d pages queued, the upload adds %d, the limit is %d", e.Depth, e.Adding, e.Max)
}

func (e *QueueFullError) Is(target error) bool { return target == ErrQueueFull }

// Store is everything regfus keeps. Implementations are safe for concurrent
// use.
type Store interface {
	// Migrate brings the schema up to date (idempotent; with PostgreSQL also
	// River's tables) and returns the names of the migrations it applied.
	Migrate(ctx context.Context) ([]string, error)
	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	Close() error

	// CreateBatch records a batch, its files and their pages in one
	// transaction. Files already known to the batch's owner scope keep
	// their pages (not processed twice); see BatchCreated. With
	// NewBatch.MaxQueue set, a batch whose new pages would take the queue
	// over it is not recorded (*QueueFullError).
	CreateBatch(ctx context.Context, b NewBatch) (BatchCreated, error)
	// HasFile reports whether a file with this sha256 is recorded (by any
	// batch): the collector of unreferenced blobs keeps the blobs it
	// finds here.
	HasFile(ctx context.Context, sha string) (bool, error)
	GetBatch(ctx context.Context, id int64, scope auth.Scope) (Batch, error)
	// ListBatches returns the batches in scope, newest first.
	ListBatches(ctx context.Context, scope auth.Scope, limit int) ([]Batch, error)
	// ListPages returns the pages of a batch's files that the scope sees,
	// in upload order (file position, then page index).
	ListPages(ctx context.Context, batchID int64, scope auth.Scope) ([]Page, error)
	GetPage(ctx context.Context, id int64, scope auth.Scope) (Page, error)

	// ClaimPage takes the oldest queued page, or a running page whose lease
	// expired, and leases it. ErrNoWork when there is none.
	ClaimPage(ctx context.Context, opt ClaimOptions) (Claim, error)
	// ExtendLease pushes a live claim's deadline to now+lease.
	ExtendLease(ctx context.Context, pageID int64, token string, lease time.Duration) error
	// ReleasePage puts a claimed page back in the queue without counting
	// the attempt (graceful shutdown).
	ReleasePage(ctx context.Context, pageID int64, token string) error
	// CompletePage saves a page's result, its slots, its sheet identity and
	// its review items in one transaction.
	CompletePage(ctx context.Context, o PageOutcome) error
	// FailPage marks a page failed for good with a reason.
	FailPage(ctx context.Context, pageID int64, token, reason string) error
	// QueueDepth counts pages waiting or running (metrics, back-pressure).
	QueueDepth(ctx context.Context) (int, error)

	// ListSheetResults returns the done pages whose sheet identity matches
	// the filter (reconciliation input), oldest first.
	ListSheetResults(ctx context.Context, f GroupFilter) ([]Page, error)
	// FindTargature returns every slot, on any page known to the system,
	// that holds one of the given targature (duplicate detection).
	FindTargature(ctx context.Context, targature []string) ([]SlotRef, error)

	// ImportDeclarations stores an import: in one transaction, for every
	// group (region, ASL, pharmacy, competence) present in rows, the rows
	// already stored are replaced by these. Nothing is half-imported. An
	// import without rows is recorded and changes nothing.
	// Rows are package records' validated values; their Pos.Line names
	// the row in errors (with Import.Source), and is not stored.
	ImportDeclarations(ctx context.Context, imp Import, rows []records.Declaration) (ImportSummary, error)
	// ImportRecords is ImportDeclarations for dispensing records.
	ImportRecords(ctx context.Context, imp Import, rows []records.Record) (ImportSummary, error)
	// ListDeclarations and ListRecords return the stored rows in group
	// order (then bundle, or record id), without Pos.
	ListDeclarations(ctx context.Context, f GroupFilter) ([]records.Declaration, error)
	ListRecords(ctx context.Context, f GroupFilter) ([]records.Record, error)

	// PutReconciliation stores (or replaces) a group's report and its
	// summary.
	PutReconciliation(ctx context.Context, r Reconciliation) error
	GetReconciliation(ctx context.Context, g sheet.Key, scope auth.Scope) (Reconciliation, error)
	ListReconciliations(ctx context.Context, f GroupFilter) ([]Reconciliation, error)
	// PageReconciliations returns one page of the stored reports in the
	// filter, in group order, starting after q.After: with q.Summaries only
	// each group's Summary (Report nil), otherwise the whole Report. It
	// reads at most q.Limit rows, so a listing costs the same however many
	// pharmacies and months are stored.
	PageReconciliations(ctx context.Context, q ReconciliationQuery) ([]Reconciliation, error)

	// ListReview returns review items (without corrections), oldest first.
	ListReview(ctx context.Context, f ReviewFilter) ([]ReviewItem, error)
	// GetReview returns one item with its corrections.
	GetReview(ctx context.Context, id int64, scope auth.Scope) (ReviewItem, error)
	// CorrectReview records a correction (who, when, before, after),
	// resolves the item and, when given, replaces the page's result in the
	// same transaction. It returns the item with its corrections.
	CorrectReview(ctx context.Context, c NewCorrection) (ReviewItem, error)
	// SetReviewSuggestion sets the suggestion of the open review items of
	// field on page pageID to sug, or clears it (sug nil), on the items
	// whose suggestion is absent or of source: an item holding a
	// suggestion of another source (the reader's own) keeps it. Resolved
	// items keep what their reviewer saw. For suggestions derived after
	// the page was read (page.SourceScanOrder, by reconciliation), set
	// again on every run. ErrInvalid when sug's Source is not source.
	SetReviewSuggestion(ctx context.Context, pageID int64, field, source string, sug *page.Suggestion) error

	// CreateKey stores a new key (hash only). ErrConflict on a duplicate id
	// or hash.
	CreateKey(ctx context.Context, k APIKey) error
	// LookupKey finds a key by hash: ErrNotFound if unknown, ErrRevoked
	// (with the key) if revoked.
	LookupKey(ctx context.Context, hash []byte) (APIKey, error)
	// ListKeys returns every key, revoked ones included, oldest first.
	ListKeys(ctx context.Context) ([]APIKey, error)
	// RevokeKey revokes a key (idempotent: the first revocation time stays)
	// and returns it. ErrNotFound if unknown.
	RevokeKey(ctx context.Context, id string) (APIKey, error)
}

// NewBatch is an upload to record.
type NewBatch struct {
	// OwnerKeyID is the uploading key ("" for a batch made by the system).
	OwnerKeyID string
	// Owner is the uploader's scope, copied onto the batch.
	Owner auth.Scope
	Files []NewFile
	// MaxQueue, when positive, refuses the batch (*QueueFullError) if the
	// pages it adds would take the queue (queued and running pages) over
	// it. A batch that adds no page (every file known) is never refused.
	MaxQueue int
}

// NewFile is one uploaded file, already stored by package blob.
type NewFile struct {
	SHA256    string
	Name      string // original file name as uploaded
	Size      int64
	MediaType string
	BlobPath  string // relative to the blob directory
	Pages     int    // number of pages in the file, >= 1
}

// BatchCreated is CreateBatch's answer.
type BatchCreated struct {
	Batch Batch
	Files []FileOutcome // one per NewFile, in order
	// QueueDepth is the queue's depth with this batch's pages (metrics).
	QueueDepth int
}

// FileOutcome tells what happened to one uploaded file.
type FileOutcome struct {
	SHA256 string
	// Known: the same bytes were uploaded before by a batch of the same
	// owner scope; their pages are shared, not processed again.
	Known bool
	// Repeated: the same bytes appear earlier in this very batch; the file
	// is listed once.
	Repeated bool
	// Pages is the file's page count as stored.
	Pages int
}

// BatchStatus is derived from the pages: queued until one starts, running
// until all are finished, then done, or failed if any page failed.
type BatchStatus string

const (
	BatchQueued  BatchStatus = "queued"
	BatchRunning BatchStatus = "running"
	BatchDone    BatchStatus = "done"
	BatchFailed  BatchStatus = "failed"
)

// Batch is an upload with its progress.
type Batch struct {
	ID         int64
	OwnerKeyID string
	Owner      auth.Scope // Role is empty: only the region/ASL/pharmacy are kept
	CreatedAt  time.Time
	Status     BatchStatus
	Progress   Progress
}

// Progress counts a batch's pages. Finished = OK + Review + Rejected +
// Failed; Total = Queued + Running + Finished.
type Progress struct {
	Total, Queued, Running, Finished int
	OK, Review, Rejected, Failed     int
}

// StatusOf derives a batch status from its progress.
func StatusOf(p Progress) BatchStatus {
	switch {
	case p.Finished == p.Total && p.Failed > 0:
		return BatchFailed
	case p.Finished == p.Total:
		return BatchDone
	case p.Running > 0 || p.Finished > 0:
		return BatchRunning
	default:
		return BatchQueued
	}
}

// PageState is where a page is in processing.
type PageState string

const (
	PageQueued  PageState = "queued"
	PageRunning PageState = "running"
	PageDone    PageState = "done"
	PageFailed  PageState = "failed"
)

// Page is one page of one uploaded file.
type Page struct {
	ID      int64
	BatchID int64 // the batch whose upload created the page
	// Owner is the scope of that batch (Role empty): the page's uploader,
	// whose scope every write about the page must respect
	// (auth.AuthorizeWrite).
	Owner auth.Scope
	// SeenIn is the batch through which the caller sees the page: the
	// listed batch (ListPages), the caller's latest upload of the file
	// (GetPage), 0 when the caller sees it only through the sheet read on
	// it. File.Name is the name the file has in that batch (in the
	// creating batch when SeenIn is 0).
	SeenIn int64
	File   File
	Index  int // 1-based within the file
	State  PageState
	// Result is the reader's output once done (nil before).
	Result *page.Result
	// Error says why a page failed.
	Error      string
	Attempts   int
	QueuedAt   time.Time
	StartedAt  time.Time // zero until claimed
	FinishedAt time.Time // zero until done or failed
	Millis     int64     // processing time of the recorded attempt
}

// File is an original, as stored.
type File struct {
	SHA256    string
	Name      string // the name in the batch Page.SeenIn (see there)
	Size      int64
	MediaType string
	BlobPath  string
	Pages     int
}

// ClaimOptions tune ClaimPage.
type ClaimOptions struct {
	// Lease is how long the claim holds without ExtendLease (> 0).
	Lease time.Duration
	// MaxAttempts: a page whose lease expired this many times is failed
	// instead of claimed again (default 3).
	MaxAttempts int
}

// Claim is a leased page.
type Claim struct {
	Page       Page
	Token      string
	LeaseUntil time.Time
}

// PageOutcome is what CompletePage saves.
type PageOutcome struct {
	PageID int64
	// Token, when set, must be the live claim's token (in-process pool);
	// River workers leave it empty.
	Token  string
	Result page.Result
	Review []NewReviewItem
	Millis int64
}

// NewReviewItem is something on a page that needs a person.
type NewReviewItem struct {
	Slot   int    // 1-28, or 0 for a page-level field
	Field  string // what is uncertain: "aic", "targatura", "progressive", "code", ...
	Reason string // why: a page.Flag* or page.Reason* value, or free text
	// Value is what the machine read (JSON, null if nothing).
	Value json.RawMessage
	// Suggestion is what the reader read in the field's box without
	// accepting it (progressive, count, date), offered to the reviewer,
	// never a value; nil when there is none.
	Suggestion *page.Suggestion
}

// ReviewStatus is open until a person corrects the item.
type ReviewStatus string

const (
	ReviewOpen     ReviewStatus = "open"
	ReviewResolved ReviewStatus = "resolved"
)

// ReviewItem is a stored review item.
type ReviewItem struct {
	ID         int64
	PageID     int64
	BatchID    int64
	FileSHA256 string
	PageIndex  int
	Slot       int
	Field      string
	Reason     string
	Value      json.RawMessage // what the machine read
	// Suggestion is what the reader read but did not accept (see
	// NewReviewItem); nil when there is none.
	Suggestion *page.Suggestion
	Status     ReviewStatus
	CreatedAt  time.Time
	ResolvedAt time.Time
	// Group is the sheet identity of the page, nil when it was not read.
	Group *sheet.Key
	// Corrections, oldest first (GetReview and CorrectReview only).
	Corrections []Correction
}

// NewCorrection is a person's correction of a review item.
type NewCorrection struct {
	ItemID int64
	Scope  auth.Scope // the corrector's; the item must be in it
	KeyID  string     // who
	After  json.RawMessage
	Note   string
	// Result, when non-nil, replaces the page's stored result (and with it
	// its slots and sheet identity): the page as corrected.
	Result *page.Result
}

// Correction is one stored correction.
type Correction struct {
	ID     int64
	KeyID  string
	At     time.Time
	Before json.RawMessage // the item's value before: what was read, or the previous correction
	After  json.RawMessage
	Note   string
}

// ReviewFilter selects review items.
type ReviewFilter struct {
	Scope   auth.Scope
	Status  ReviewStatus // "" for any
	BatchID int64        // 0 for any
	PageID  int64        // 0 for any
	Limit   int          // 0 for no limit
}

// GroupFilter selects by identity within a scope; empty fields of its key
// match all.
type GroupFilter struct {
	Scope auth.Scope
	sheet.Key
}

// SlotRef is where a targatura was read.
type SlotRef struct {
	Targatura   string
	PageID      int64
	Slot        int
	AIC         string     // "" when not read
	Group       *sheet.Key // nil when the sheet was not identified
	Progressive string
}

// ImportKind is what an import holds.
type ImportKind string

const (
	ImportDeclarations ImportKind = "declarations"
	ImportRecords      ImportKind = "records"
)

// Import describes one uploaded declarations or records file.
type Import struct {
	KeyID  string // who imported ("" for the CLI)
	Source string // file name or "request body", for messages
}

// ImportSummary is an import's outcome.
type ImportSummary struct {
	ImportID int64
	Rows     int
	Groups   []sheet.Key // the groups replaced, sorted
	Replaced int         // rows of earlier imports removed
}

// Reconciliation is a group's stored report (SPEC section 5 JSON).
type Reconciliation struct {
	Group      sheet.Key
	Report     json.RawMessage
	ComputedAt time.Time
	// Summary is the report's short form for listings (the JSON of
	// reconcile.Brief), given with the report to PutReconciliation and
	// read by PageReconciliations only. The store keeps both as they are
	// given: it does not read inside them.
	Summary json.RawMessage
}

// ReconciliationQuery selects one page of stored reports.
type ReconciliationQuery struct {
	Filter GroupFilter
	// After is the last group of the previous page (keyset cursor); the
	// zero key starts at the beginning.
	After sheet.Key
	// Limit is the page size (> 0).
	Limit int
	// Summaries: read Summary instead of Report.
	Summaries bool
}

// APIKey is a stored key: never the secret, only its hash.
type APIKey struct {
	ID        string
	Hash      []byte
	Scope     auth.Scope
	Label     string
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
}

// Revoked reports whether the key was revoked.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }
