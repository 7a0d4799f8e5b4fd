package reconcile

import (
	"encoding/json"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
)

// Kind names a finding. The first fifteen are fixed by SPEC section 5; the
// rest are additions.
type Kind string

const (
	SheetCountMismatch   Kind = "sheet_count_mismatch"
	DuplicateProgressive Kind = "duplicate_progressive"
	MissingProgressive   Kind = "missing_progressive"
	ForeignSheet         Kind = "foreign_sheet"
	HeadTailMismatch     Kind = "head_tail_mismatch"
	NonzeroAmount        Kind = "nonzero_amount"
	CountMismatch        Kind = "count_mismatch"
	UnrecordedFustella   Kind = "unrecorded_fustella"
	MissingFustella      Kind = "missing_fustella"
	SlotMismatch         Kind = "slot_mismatch"
	AICMismatch          Kind = "aic_mismatch"
	DuplicateTargatura   Kind = "duplicate_targatura"
	Suspended            Kind = "suspended"
	Unsigned             Kind = "unsigned"
	Unreadable           Kind = "unreadable"

	// RuleBroken: a fustella overlaps another, crosses its slot border or is
	// upside down (SPEC section 2, rules a and b), as flagged by the reader.
	RuleBroken Kind = "rule_broken"
	// DuplicateDeclaration: two declarations of the same bundle for the same
	// pharmacy and month were given (from different files); the first, in
	// file and line order, is used.
	DuplicateDeclaration Kind = "duplicate_declaration"
	// DateOutsideMonth: the DATA field was read for sure as a date outside
	// the sheet's competence month (rule d: the date says which working
	// day of the month the sheet is).
	DateOutsideMonth Kind = "date_outside_month"
)

// Kinds lists every kind in the order findings of one slot are sorted in.
var Kinds = []Kind{
	SheetCountMismatch, NonzeroAmount, DuplicateDeclaration, MissingProgressive, DuplicateProgressive,
	ForeignSheet, HeadTailMismatch, CountMismatch, DateOutsideMonth, Unreadable, RuleBroken,
	UnrecordedFustella, MissingFustella, SlotMismatch, AICMismatch, DuplicateTargatura,
	Suspended, Unsigned,
}

var kindRank = func() map[Kind]int {
	m := make(map[Kind]int, len(Kinds))
	for i, k := range Kinds {
		m[k] = i
	}
	return m
}()

// FustellaOutcome is what became of one fustella found on a sheet: of every
// slot whose state is filled or unreadable on every page given. Each has
// exactly one.
type FustellaOutcome string

const (
	// FMatched: paired with the record of the same targatura, in the same
	// pharmacy and month (slot and AIC differences are findings, not outcomes).
	FMatched FustellaOutcome = "matched"
	// FUnrecorded: read for sure, and no record of that pharmacy and month has
	// its targatura.
	FUnrecorded FustellaOutcome = "unrecorded"
	// FDuplicate: the same targatura is on another slot of the same pharmacy
	// and month, and that one was counted.
	FDuplicate FustellaOutcome = "duplicate"
	// FUnreadable: the slot is not read for sure (unreadable, a code
	// missing or invalid, or flagged as doubtful), or the identity of the
	// page it is on is not certain (rejected, head and tail disagree, no
	// valid code). A page in review for other reasons, such as an unread
	// progressive, does not make its slots unreadable. Never matched, never
	// unrecorded.
	FUnreadable FustellaOutcome = "unreadable"
	// FForeign: on a sheet of a pharmacy and month nobody declared or
	// recorded; nothing to match it against.
	FForeign FustellaOutcome = "foreign"
	// FRescanned: on a page identical to another page of the same sheet (the
	// sheet was scanned twice); counted on the other page.
	FRescanned FustellaOutcome = "rescanned"
)

// FustellaOutcomes lists every fustella outcome.
var FustellaOutcomes = []FustellaOutcome{FMatched, FUnrecorded, FDuplicate, FUnreadable, FForeign, FRescanned}

// MatchOutcome is what was found for one record on the sheets of its
// pharmacy and month. Each record has exactly one.
type MatchOutcome string

const (
	// MMatched: its fustella was found (see FMatched).
	MMatched MatchOutcome = "matched"
	// MMissing: its fustella is on no sheet, and no unreadable slot or page
	// could be hiding it.
	MMissing MatchOutcome = "missing"
	// MUnverifiable: not found, but the slot it is assigned to, or a sheet
	// that could be its sheet, is not read for sure, or its targatura was
	// read on a slot or page not read for sure: it is not reported missing
	// until a person checks.
	MUnverifiable MatchOutcome = "unverifiable"
	// MDuplicate: another record of the same pharmacy and month has the same
	// targatura and took the only fustella found.
	MDuplicate MatchOutcome = "duplicate"
)

// MatchOutcomes lists every match outcome.
var MatchOutcomes = []MatchOutcome{MMatched, MMissing, MUnverifiable, MDuplicate}

// AccountOutcome is whether a record may be paid. Each record has exactly
// one; it is decided in this order.
type AccountOutcome string

const (
	// AUnmatched: its fustella was not matched on a sheet; not payable.
	AUnmatched AccountOutcome = "unmatched"
	// AWithheld: its targatura is a duplicate (on two slots, in two records,
	// or already known to the system elsewhere): a fraud signal, not payable
	// until cleared.
	AWithheld AccountOutcome = "withheld"
	// AUnsigned: the dispensing form was not signed; not payable.
	AUnsigned AccountOutcome = "unsigned"
	// ASuspended: the prescription is still open (sospeso); payable in the
	// month it closes.
	ASuspended AccountOutcome = "suspended"
	// ACarried: the prescription closed in a later month; the record is in
	// that month's payable list (with carried_from set).
	ACarried AccountOutcome = "carried"
	// APayable: closed in its own competence, signed and matched: in its own
	// month's payable list.
	APayable AccountOutcome = "payable"
)

// AccountOutcomes lists every account outcome.
var AccountOutcomes = []AccountOutcome{AUnmatched, AWithheld, AUnsigned, ASuspended, ACarried, APayable}

// Report is the outcome of one reconciliation (SPEC section 5).
type Report struct {
	// Groups, one per pharmacy and competence month met in the input (on a
	// sheet, a declaration or a record, or as the closing month of a carried
	// record), sorted by region, ASL, pharmacy and competence.
	Groups []Group `json:"groups"`
	// Findings about pages that could not be put in any group (no valid
	// sheet code read): kind unreadable, with source and page.
	Findings []Finding `json:"findings"`
	// Totals over the whole input.
	Totals Summary `json:"totals"`
}

// Group is the reconciliation of one pharmacy in one competence month.
type Group struct {
	sheet.Key
	SheetCounts

	Findings []Finding `json:"findings"`
	Payable  []Payable `json:"payable"`

	// Records holds every record of this pharmacy and month with its two
	// outcomes, sorted by record id.
	Records []RecordResult `json:"records"`
	// Sheets holds every delivered page of this group with each slot's
	// outcome, for pictures; sorted by progressive.
	Sheets  []SheetView `json:"sheets"`
	Summary Summary     `json:"summary"`
}

// SheetCounts are a group's sheets, declared and delivered; its Brief
// carries them too.
type SheetCounts struct {
	// DeclaredSheets is "Numero Ricette" of the REGFUS declaration, nil
	// when there is none.
	DeclaredSheets *int `json:"declared_sheets"`
	// ScannedSheets counts the delivered pages of this pharmacy and month
	// that are not dispensario sheets (a sheet scanned twice counts once;
	// a page whose progressive was not read counts here).
	ScannedSheets int `json:"scanned_sheets"`
	// Dispensario sheets, apart (REGFUS-D, progressive with a D prefix).
	DeclaredDispensarioSheets *int `json:"declared_dispensario_sheets"`
	ScannedDispensarioSheets  int  `json:"scanned_dispensario_sheets"`
	// UnknownProgressiveSheets counts the delivered pages whose progressive
	// was not read (included in ScannedSheets): REGFUS or REGFUS-D, a
	// person will tell.
	UnknownProgressiveSheets int `json:"unknown_progressive_sheets"`
}

// Finding is one discrepancy. Sheet, Slot, Targatura and RecordID are
// empty (JSON null) when the finding is not about one.
type Finding struct {
	Kind Kind `json:"kind"`
	// Sheet is the progressive as printed ("2", "D2").
	Sheet     string `json:"sheet"`
	Slot      int    `json:"slot"`
	Targatura string `json:"targatura"`
	RecordID  string `json:"record_id"`
	Detail    string `json:"detail"`
	// Source and Page point at the scanned page the finding is about.
	Source string `json:"source,omitempty"`
	Page   int    `json:"page,omitempty"`

	sheetRank int
}

// MarshalJSON writes empty values as null, as SPEC section 5 shows.
func (f Finding) MarshalJSON() ([]byte, error) {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var slot *int
	if f.Slot > 0 {
		slot = &f.Slot
	}
	return json.Marshal(struct {
		Kind      Kind    `json:"kind"`
		Sheet     *string `json:"sheet"`
		Slot      *int    `json:"slot"`
		Targatura *string `json:"targatura"`
		RecordID  *string `json:"record_id"`
		Detail    string  `json:"detail"`
		Source    string  `json:"source,omitempty"`
		Page      int     `json:"page,omitempty"`
	}{f.Kind, str(f.Sheet), slot, str(f.Targatura), str(f.RecordID), f.Detail, f.Source, f.Page})
}

// Payable is a record that may be paid in its group's month.
type Payable struct {
	RecordID  string `json:"record_id"`
	AIC       string `json:"aic"`
	Targatura string `json:"targatura"`
	// Attestation is the signed document id, the attestation code of the
	// monthly accounting flow.
	Attestation string `json:"attestation"`
	Signature   string `json:"signature"`
	// Sheet and Slot are where the fustella was found; Sheet is empty when
	// the progressive of that page was not read.
	Sheet string `json:"sheet"`
	Slot  int    `json:"slot"`
	// CarriedFrom is the competence of the sheet when the prescription was
	// suspended there and closed in this group's month.
	CarriedFrom string `json:"carried_from,omitempty"`
}

// RecordResult is one record with its outcomes.
type RecordResult struct {
	RecordID  string         `json:"record_id"`
	Targatura string         `json:"targatura"`
	AIC       string         `json:"aic"`
	Sheet     string         `json:"sheet"`
	Slot      int            `json:"slot"`
	Match     MatchOutcome   `json:"match"`
	Account   AccountOutcome `json:"account"`
	// FoundSheet and FoundSlot are where its fustella was matched.
	FoundSheet string `json:"found_sheet,omitempty"`
	FoundSlot  int    `json:"found_slot,omitempty"`
	// PayableIn is the month whose payable list holds it, if any.
	PayableIn string `json:"payable_in,omitempty"`
}

// SheetView is one delivered page with the outcome of each slot.
type SheetView struct {
	Source string      `json:"source"`
	Page   int         `json:"page"`
	Status page.Status `json:"status"`
	// Sheet is the progressive, "" when it was not read.
	Sheet string `json:"sheet"`
	// ScanOrder, when Sheet was not read, is what the order of the scan
	// batch suggests for it (nil when it suggests nothing): a suggestion,
	// never a value, so Sheet stays "".
	ScanOrder     *ScanOrder `json:"scan_order,omitempty"`
	DeclaredCount *int       `json:"declared_count"`
	// Found counts the fustelle on the page (filled or unreadable slots).
	Found int `json:"found"`
	// RescanOf names the page this one repeats, when it is a second scan.
	RescanOf string `json:"rescan_of,omitempty"`
	Foreign  bool   `json:"foreign,omitempty"`
	// LayoutVersion is the layout the page was read against.
	LayoutVersion int        `json:"layout_version"`
	Slots         []SlotView `json:"slots"`
	// Input is the page's index in Input.Pages, for the caller to find
	// the page it gave (not in the JSON: the report names a page by
	// Source and Page).
	Input int `json:"-"`
}

// Slot view outcomes that are not fustella outcomes.
const (
	// SlotEmpty: the reader saw an empty slot.
	SlotEmpty = "empty"
	// SlotUnknown: the page result says nothing about this slot (a rejected
	// page, or a result that lists fewer slots).
	SlotUnknown = "unknown"
)

// SlotView is one slot of a SheetView.
type SlotView struct {
	Slot int `json:"slot"`
	// Outcome is a FustellaOutcome, SlotEmpty or SlotUnknown.
	Outcome   string `json:"outcome"`
	AIC       string `json:"aic,omitempty"`
	Targatura string `json:"targatura,omitempty"`
	RecordID  string `json:"record_id,omitempty"`
	// Issues lists the kinds of the findings about this slot.
	Issues []Kind `json:"issues,omitempty"`
}

// Summary counts outcomes and findings. Over a group, Fustelle counts the
// fustelle on its pages and the record counts its records; the payable
// figures count its payable list.
type Summary struct {
	Pages          int                     `json:"pages"`
	Fustelle       map[FustellaOutcome]int `json:"fustelle"`
	RecordsMatch   map[MatchOutcome]int    `json:"records_match"`
	RecordsAccount map[AccountOutcome]int  `json:"records_account"`
	Findings       map[Kind]int            `json:"findings"`
	Payable        int                     `json:"payable"`
	PayableCarried int                     `json:"payable_carried"`
}

func newSummary() Summary {
	return Summary{
		Fustelle:       map[FustellaOutcome]int{},
		RecordsMatch:   map[MatchOutcome]int{},
		RecordsAccount: map[AccountOutcome]int{},
		Findings:       map[Kind]int{},
	}
}

func (s *Summary) add(o Summary) {
	s.Pages += o.Pages
	addCounts(s.Fustelle, o.Fustelle)
	addCounts(s.RecordsMatch, o.RecordsMatch)
	addCounts(s.RecordsAccount, o.RecordsAccount)
	addCounts(s.Findings, o.Findings)
	s.Payable += o.Payable
	s.PayableCarried += o.PayableCarried
}

// addCounts adds the counts of src to dst.
func addCounts[K comparable](dst, src map[K]int) {
	for k, v := range src {
		dst[k] += v
	}
}

// Group returns the group with key k, or nil.
func (r *Report) Group(k sheet.Key) *Group {
	for i := range r.Groups {
		if r.Groups[i].Key == k {
			return &r.Groups[i]
		}
	}
	return nil
}
