package records

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong in an imported file.
type Problem struct {
	File string `json:"file"`
	// Line and Column are 1-based; Column counts bytes from the start of the
	// line to where the offending value (or token) starts, as encoding/csv
	// does. Column is 0 when the problem is about a whole row or file.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Field is the column (CSV) or key (JSON) the problem is about, if any.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError is returned when a file is rejected. It lists every
// problem found, in file order; nothing of the file was imported.
type ValidationError struct {
	File     string    `json:"file"`
	Kind     string    `json:"kind"` // "declarations" or "records"
	Problems []Problem `json:"problems"`
}

// maxListed bounds how many problems Error() spells out; Problems keeps all.
const maxListed = 50

func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "%s: %s rejected, nothing imported: %d problem%s", e.File, e.Kind, n, plural)
	for i, p := range e.Problems {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more", n-maxListed)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems for one file.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line, col int, field, format string, a ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Column: col, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (ps *problems) at(c cell, field, format string, a ...any) {
	ps.add(c.line, c.col, field, format, a...)
}

// err returns the ValidationError, or nil when there is no problem.
func (ps *problems) err(kind string) error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &ValidationError{File: ps.file, Kind: kind, Problems: ps.list}
}
