// Package reconcile checks what was read on the scanned sheets against what
// the pharmacy declared and recorded (SPEC section 5). It is pure: no I/O,
// no HTTP, no database. Its input is page results (package page), DCR
// declarations and dispensing records (package records); its output is the
// report model that package report renders and the service stores.
//
// # Groups
//
// Everything is grouped by pharmacy (region, ASL, pharmacy) and competence
// month. A page belongs to the group its sheet code names (the head code, or
// the tail code when the head one is unread or invalid: such a page is in
// the group but its identity is not certain, see below); a page with no
// valid code belongs to no group and is reported at the top level. A record
// belongs to the group of its competence; a declaration to its own.
//
// # Outcomes
//
// Every fustella found on a page (a slot whose state is filled or
// unreadable) ends in exactly one FustellaOutcome, and every record in
// exactly one MatchOutcome and one AccountOutcome, so totals always add up:
// the fustelle of all pages are the sum of the fustella outcomes, the
// records are the sum of either record outcome, and the payable lists hold
// exactly the payable and carried records. Findings are separate from
// outcomes: one item may have several findings (a matched fustella in the
// wrong slot with another AIC), or none.
//
// # Never silently wrong: the unit of doubt is the value
//
// Only what was read for sure is reconciled, but doubt is judged value by
// value, not page by page (a deliberate refinement of issue 5, which kept
// every page in review out of matching: the reader sends nearly every real
// page to review because the handwritten progressive, count and date are
// not machine-read, and a tool that matched nothing until a person typed
// every progressive would be of no use).
//
//   - The identity of the page. A page contributes fustelle only when its
//     sheet code is certain: status ok or review, a valid head code, a tail
//     code that is unread or equal to it, and no reason that casts doubt on
//     the identity (head_tail_mismatch, invalid_sheet_code, or any reason
//     this package does not know to be about values only). An unread
//     barcode with the other one read and not contradicted is certain
//     enough: that is how the reader reports it (package acquisition,
//     identity). A rejected page, or one whose identity is not certain,
//     contributes nothing: its fustelle are FUnreadable, one unreadable
//     finding says why, and a record that could be on it is MUnverifiable.
//   - The codes of a slot. On a page of certain identity, in review or not,
//     a slot is read for sure when its state is filled, its AIC and
//     targatura are both present with valid check digits and no flag
//     doubts them (aic_unread, targatura_unread, aic_disagree,
//     targatura_disagree; ocr_only, bars_only and the rule flags do not).
//     Such a slot is matched, unrecorded, duplicate and payable exactly as
//     on an ok page. Any other fustella is FUnreadable with its own
//     unreadable finding, never matched nor unrecorded, and a record that
//     could be it (assigned to that slot, or whose targatura was read
//     there) is MUnverifiable, never missing.
//   - The handwritten fields. A check that needs a value that was not read
//     is not made, and an unreadable finding about the page says so. With
//     the progressive unread, fustelle are still matched by targatura
//     (unique per pack: that is what makes a match certain, not the slot)
//     and the slot number is still compared with the record's, but not the
//     sheet number; and no progressive is reported missing while pages with
//     an unread progressive could be it (when there are more gaps than such
//     pages, one missing_progressive finding says how many are missing at
//     least). With the count unread there is no count_mismatch. The count
//     and date are optional: an empty box is not a finding, only a box
//     with writing that was not read is.
//
// After a person corrects a page, it reconciles like any other.
//
// # Determinism
//
// The report depends only on the content of the input, not on its order
// beyond ties between identical pages: pages are ordered by group,
// progressive, source and page number; records by id; findings by sheet,
// slot, kind, record and targatura.
package reconcile
