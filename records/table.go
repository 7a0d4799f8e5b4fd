package records

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
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

	var rows []row
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
		rw := row{line: line, col: 1, cells: make([]cell, len(s.columns))}
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

func readJSON(data []byte, s *schema, ps *problems) []row {
	data = bytes.TrimPrefix(data, bom) // tolerated, but not counted in columns
	pos := newJSONPos(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	syntax := func(err error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			l, c := pos.exact(max(int(se.Offset)-1, 0))
			ps.add(l, c, "", "JSON syntax: %v", se)
			return
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			l, c := pos.exact(len(data))
			ps.add(l, c, "", "JSON ends too early")
			return
		}
		ps.add(0, 0, "", "JSON: %v", err)
	}
	next := func() (json.Token, int, int, bool) {
		l, c := pos.at(dec.InputOffset())
		t, err := dec.Token()
		if err != nil {
			syntax(err)
			return nil, l, c, false
		}
		return t, l, c, true
	}

	t, l, c, ok := next()
	if !ok {
		return nil
	}
	if d, isDelim := t.(json.Delim); !isDelim || d != '[' {
		ps.add(l, c, "", "want a JSON array of objects, one per %s row", strings.TrimSuffix(s.kind, "s"))
		return nil
	}
	var rows []row
	for n := 1; dec.More(); n++ {
		t, l, c, ok := next()
		if !ok {
			return nil
		}
		if d, isDelim := t.(json.Delim); !isDelim || d != '{' {
			ps.add(l, c, "", "element %d: want an object", n)
			if isDelim && !skip(dec, syntax) {
				return nil
			}
			continue
		}
		rw := row{line: l, col: c, cells: make([]cell, len(s.columns))}
		for k := range rw.cells {
			rw.cells[k] = cell{kind: kindMissing, line: l, col: c}
		}
		seen := make([]bool, len(s.columns))
		for dec.More() {
			kt, kl, kc, ok := next()
			if !ok {
				return nil
			}
			key, _ := kt.(string)
			vl, vc := pos.at(dec.InputOffset())
			vt, err := dec.Token()
			if err != nil {
				syntax(err)
				return nil
			}
			v := cell{line: vl, col: vc}
			switch x := vt.(type) {
			case string:
				v.kind, v.text = kindString, x
			case json.Number:
				v.kind, v.text = kindNumber, string(x)
			case nil:
				v.kind = kindNull
			case bool:
				v.kind, v.text = kindOther, fmt.Sprint(x)
			case json.Delim:
				v.kind, v.text = kindOther, "an "+map[json.Delim]string{'[': "array", '{': "object"}[x]
				if !skip(dec, syntax) {
					return nil
				}
			}
			k := s.lookup(key)
			if k < 0 {
				continue // extra keys are welcome
			}
			if seen[k] {
				ps.add(kl, kc, s.columns[k].name, "key appears twice in the object")
				continue
			}
			seen[k] = true
			rw.cells[k] = v
		}
		if _, _, _, ok := next(); !ok { // '}'
			return nil
		}
		rows = append(rows, rw)
	}
	if _, _, _, ok := next(); !ok { // ']'
		return nil
	}
	if l, c := pos.at(dec.InputOffset()); int(dec.InputOffset()) < len(data) && len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		ps.add(l, c, "", "data after the end of the JSON array")
	}
	return rows
}

// skip consumes the rest of an array or object whose opening delimiter
// was just read.
func skip(dec *json.Decoder, syntax func(error)) bool {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			syntax(err)
			return false
		}
		if d, ok := t.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
	}
	return true
}
