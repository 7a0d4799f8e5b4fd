package records

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Format is the syntax of an imported file.
type Format int

const (
	// Auto tells JSON from CSV by the first character that is not a space
	// or a byte-order mark: '[' or '{' is JSON, anything else CSV.
	Auto Format = iota
	CSV
	JSON
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSON:
		return "json"
	}
	return "auto"
}

// ParseFormat parses "csv", "json" or "auto" (or "").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "csv":
		return CSV, nil
	case "json":
		return JSON, nil
	}
	return Auto, fmt.Errorf("unknown format %q: want csv, json or auto", s)
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func detect(data []byte) Format {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	if len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return JSON
	}
	return CSV
}

// valueKind is what a cell held in the file.
type valueKind uint8

const (
	kindMissing valueKind = iota // JSON key absent
	kindNull                     // JSON null
	kindString                   // CSV cell or JSON string
	kindNumber                   // JSON number (text kept verbatim)
	kindOther                    // JSON true/false, object or array
)

// cell is one value with where it starts.
type cell struct {
	text      string
	kind      valueKind
	line, col int
}

// column describes one fixed column of a schema.
type column struct {
	name string
	// number: a JSON number is accepted besides a string.
	number bool
	// optional: the value may be empty (CSV), null or absent (JSON); the
	// column itself must still be in a CSV header.
	optional bool
}

type schema struct {
	kind    string // "declarations" or "records", for messages
	columns []column
}

// row is one CSV line or JSON object, its cells in schema order.
type row struct {
	line, col int
	cells     []cell
}

// cellSlab hands out the cells of many rows from few allocations.
type cellSlab []cell

func (s *cellSlab) take(n int) []cell {
	if len(*s) < n {
		*s = make([]cell, 512*n)
	}
	c := (*s)[:n:n]
	*s = (*s)[n:]
	return c
}

// readTable splits data into rows. Structural problems (syntax, header,
// field counts, encoding) go to ps; rows that are structurally broken are
// left out, and the caller validates the values of the rest.
func readTable(data []byte, f Format, s *schema, ps *problems) []row {
	checkUTF8(data, ps)
	if f == Auto {
		f = detect(data)
	}
	if f == JSON {
		return readJSON(data, s, ps)
	}
	return readCSV(data, s, ps)
}

// checkUTF8 reports every line holding bytes that are not UTF-8.
func checkUTF8(data []byte, ps *problems) {
	if utf8.Valid(data) {
		return
	}
	line := 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		l := data
		if end >= 0 {
			l = data[:end]
		}
		if !utf8.Valid(l) {
			col := 1
			for len(l) > 0 {
				r, n := utf8.DecodeRune(l)
				if r == utf8.RuneError && n <= 1 {
					break
				}
				l = l[n:]
				col += n
			}
			ps.add(line, col, "", "invalid UTF-8: the file must be UTF-8 encoded")
		}
		if end < 0 {
			break
		}
		data = data[end+1:]
		line++
	}
}

func clean(s string) string { return strings.Trim(s, " \t") }

// lookup maps header names (case-insensitive) to schema columns.
func (s *schema) lookup(name string) int {
	name = strings.ToLower(clean(name))
	for i, c := range s.columns {
		if c.name == name {
			return i
		}
	}
	return -1
}

func readCSV(data []byte, s *schema, ps *problems) []row {
	// The byte-order mark Excel writes is dropped; columns on line 1 are
	// shifted back so that they still count from the file's first byte.
	shift := 0
	if bytes.HasPrefix(data, bom) {
		data, shift = data[len(bom):], len(bom)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		ps.add(1, 0, "", "file is empty: want a header row (%s)", s.names())
		return nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	pos := func(i int) (int, int) {
		l, c := r.FieldPos(i)
		if l == 1 {
			c += shift
		}
		return l, c
	}

	header, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			ps.add(pe.Line, pe.Column, "", "header: %v", pe.Err)
		} else {
			ps.add(1, 0, "", "header: %v", err)
		}
		return nil
	}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		ps.add(1, 1, "", "fields are separated by ';': want ',' (SPEC section 4)")
		return nil
	}
	index := make([]int, len(s.columns)) // schema column -> CSV field
	for i := range index {
		index[i] = -1
	}
	for i, h := range header {
		k := s.lookup(h)
		if k < 0 {
			continue // extra columns are welcome
		}
		if index[k] >= 0 {
			l, c := pos(i)
			ps.add(l, c, s.columns[k].name, "column appears twice in the header (first as field %d)", index[k]+1)
			continue
		}
		index[k] = i
	}
	var missing []string
	for k, i := range index {
		if i < 0 {
			missing = append(missing, s.columns[k].name)
		}
	}
	if len(missing) > 0 {
		ps.add(1, 0, "", "header lacks column(s) %s (want %s)", strings.Join(missing, ", "), s.names())
		return nil
	}

	rows := make([]row, 0, bytes.Count(data, []byte{'\n'}))
	var slab cellSlab
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				ps.add(0, 0, "", "%v", err)
				break
			}
			ps.add(pe.Line, pe.Column, "", "%v", pe.Err)
			continue
		}
		line, _ := pos(0)
		if len(rec) != len(header) {
			ps.add(line, 0, "", "row has %d fields, the header has %d", len(rec), len(header))
			continue
		}
		rw := row{line: line, col: 1, cells: slab.take(len(s.columns))}
		for k, i := range index {
			l, c := pos(i)
			rw.cells[k] = cell{text: rec[i], kind: kindString, line: l, col: c}
		}
		rows = append(rows, rw)
	}
	return rows
}

func (s *schema) names() string {
	n := make([]string, len(s.columns))
	for i, c := range s.columns {
		n[i] = c.name
	}
	return strings.Join(n, ",")
}

// jsonPos turns byte offsets into lines and columns.
type jsonPos struct {
	data  []byte
	lines []int // offset of the start of each line
}

func newJSONPos(data []byte) *jsonPos {
	p := &jsonPos{data: data, lines: []int{0}}
	for i, b := range data {
		if b == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	return p
}

// at returns the line and column of the token that starts at or after
// offset off, skipping white space and the ',' and ':' separators that
// encoding/json's Token consumes silently.
func (p *jsonPos) at(off int64) (int, int) {
	i := int(off)
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return p.exact(i)
}

func (p *jsonPos) exact(i int) (int, int) {
	i = min(max(i, 0), len(p.data))
	l := sort.Search(len(p.lines), func(k int) bool { return p.lines[k] > i }) - 1
	return l + 1, i - p.lines[l] + 1
}

// maxDepth is encoding/json's nesting limit, kept so that both accept the
// same documents.
const maxDepth = 10000

// jsonReader turns an array of flat objects into rows, with positions.
type jsonReader struct {
	lx  lexer
	pos *jsonPos
	ps  *problems
}

// next returns the next token; on a syntax error it reports it and returns
// false, and the caller gives up (nothing after a syntax error is reliable).
func (j *jsonReader) next() (token, bool) {
	t, err := j.lx.next()
	if err != nil {
		j.syntax(err.(*syntaxError))
		return t, false
	}
	return t, true
}

func (j *jsonReader) syntax(se *syntaxError) {
	l, c := j.pos.exact(se.off)
	if se.eof {
		j.ps.add(l, c, "", "JSON ends too early")
		return
	}
	j.ps.add(l, c, "", "JSON syntax: %s", se.msg)
}

// unexpected reports token t where something else was wanted.
func (j *jsonReader) unexpected(t token, want string) {
	if t.kind == tEOF {
		j.syntax(&syntaxError{off: t.start, eof: true})
		return
	}
	j.syntax(&syntaxError{off: t.start, msg: fmt.Sprintf("%s where %s was expected", t.kind, want)})
}

// skip consumes the value that starts with t, checking its syntax.
func (j *jsonReader) skip(t token, depth int) bool {
	switch t.kind {
	case tString, tNumber, tTrue, tFalse, tNull:
		return true
	case tBeginArray, tBeginObject:
	default:
		j.unexpected(t, "a value")
		return false
	}
	if depth > maxDepth {
		j.syntax(&syntaxError{off: t.start, msg: fmt.Sprintf("nested deeper than %d", maxDepth)})
		return false
	}
	array := t.kind == tBeginArray
	end := tEndObject
	if array {
		end = tEndArray
	}
	t, ok := j.next()
	if !ok {
		return false
	}
	if t.kind == end {
		return true
	}
	for {
		if !array {
			if t.kind != tString {
				j.unexpected(t, "a string key")
				return false
			}
			if t, ok = j.next(); !ok {
				return false
			} else if t.kind != tColon {
				j.unexpected(t, "':'")
				return false
			}
			if t, ok = j.next(); !ok {
				return false
			}
		}
		if !j.skip(t, depth+1) {
			return false
		}
		if t, ok = j.next(); !ok {
			return false
		}
		if t.kind == end {
			return true
		}
		if t.kind != tComma {
			j.unexpected(t, fmt.Sprintf("',' or %s", end))
			return false
		}
		if t, ok = j.next(); !ok {
			return false
		}
	}
}

func readJSON(data []byte, s *schema, ps *problems) []row {
	data = bytes.TrimPrefix(data, bom) // tolerated, but not counted in columns
	j := &jsonReader{lx: lexer{data: data}, pos: newJSONPos(data), ps: ps}
	at := func(t token) (int, int) { return j.pos.exact(t.start) }

	t, ok := j.next()
	if !ok {
		return nil
	}
	if t.kind != tBeginArray {
		l, c := at(t)
		ps.add(l, c, "", "want a JSON array of objects, one per %s row", strings.TrimSuffix(s.kind, "s"))
		return nil
	}
	var rows []row
	var slab cellSlab
	if t, ok = j.next(); !ok {
		return nil
	}
	for n := 1; t.kind != tEndArray; n++ {
		if t.kind == tBeginObject {
			rw, ok := j.object(t, s, &slab)
			if !ok {
				return nil
			}
			rows = append(rows, rw)
		} else {
			if t.kind != tEOF && t.kind != tComma && t.kind != tColon && t.kind != tEndObject {
				l, c := at(t)
				ps.add(l, c, "", "element %d: want an object", n)
			}
			if !j.skip(t, 2) {
				return nil
			}
		}
		if t, ok = j.next(); !ok {
			return nil
		}
		if t.kind == tEndArray {
			break
		}
		if t.kind != tComma {
			j.unexpected(t, "',' or ']'")
			return nil
		}
		if t, ok = j.next(); !ok {
			return nil
		}
		if t.kind == tEndArray {
			j.unexpected(t, "a value")
			return nil
		}
	}
	if t, ok = j.next(); !ok {
		return nil
	}
	if t.kind != tEOF {
		l, c := at(t)
		ps.add(l, c, "", "data after the end of the JSON array")
	}
	return rows
}

// object reads one record object whose '{' is open.
func (j *jsonReader) object(open token, s *schema, slab *cellSlab) (row, bool) {
	l, c := j.pos.exact(open.start)
	rw := row{line: l, col: c, cells: slab.take(len(s.columns))}
	for k := range rw.cells {
		rw.cells[k] = cell{kind: kindMissing, line: l, col: c}
	}
	var seen [32]bool
	t, ok := j.next()
	if !ok {
		return rw, false
	}
	if t.kind == tEndObject {
		return rw, true
	}
	for {
		if t.kind != tString {
			j.unexpected(t, "a string key")
			return rw, false
		}
		key := t
		if t, ok = j.next(); !ok {
			return rw, false
		} else if t.kind != tColon {
			j.unexpected(t, "':'")
			return rw, false
		}
		if t, ok = j.next(); !ok {
			return rw, false
		}
		vl, vc := j.pos.exact(t.start)
		v := cell{line: vl, col: vc}
		switch t.kind {
		case tString:
			v.kind, v.text = kindString, t.text
		case tNumber:
			v.kind, v.text = kindNumber, t.text
		case tNull:
			v.kind = kindNull
		case tTrue, tFalse:
			v.kind, v.text = kindOther, t.kind.String()
		case tBeginArray:
			v.kind, v.text = kindOther, "an array"
		case tBeginObject:
			v.kind, v.text = kindOther, "an object"
		}
		if !j.skip(t, 3) {
			return rw, false
		}
		if k := s.lookup(key.text); k >= 0 {
			if seen[k] {
				kl, kc := j.pos.exact(key.start)
				j.ps.add(kl, kc, s.columns[k].name, "key appears twice in the object")
			} else {
				seen[k] = true
				rw.cells[k] = v
			}
		}
		if t, ok = j.next(); !ok {
			return rw, false
		}
		if t.kind == tEndObject {
			return rw, true
		}
		if t.kind != tComma {
			j.unexpected(t, "',' or '}'")
			return rw, false
		}
		if t, ok = j.next(); !ok {
			return rw, false
		}
	}
}
