package reconcile

import "github.com/regfus/regfus/sheet"

// Brief is a group's short form, stored beside its report so that a
// listing of many pharmacies and months reads a few hundred bytes per
// group: the group's members but its four lists (findings, payable,
// records, sheets: the bulk), each of which it counts instead
// (findings_count, ...). The summary counts are kept whole. Its JSON is
// the listing's wire format (GET /v1/reconciliations?view=summary).
type Brief struct {
	sheet.Key
	SheetCounts
	FindingsCount int     `json:"findings_count"`
	PayableCount  int     `json:"payable_count"`
	RecordsCount  int     `json:"records_count"`
	SheetsCount   int     `json:"sheets_count"`
	Summary       Summary `json:"summary"`
}

// Brief returns the group's short form. TestBriefFollowsGroup keeps it in
// step with Group: a member added there must be added here.
func (g Group) Brief() Brief {
	return Brief{
		Key:           g.Key,
		SheetCounts:   g.SheetCounts,
		FindingsCount: len(g.Findings),
		PayableCount:  len(g.Payable),
		RecordsCount:  len(g.Records),
		SheetsCount:   len(g.Sheets),
		Summary:       g.Summary,
	}
}
