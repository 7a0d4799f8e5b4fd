package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(Auto))
		f.Add(data, uint8(CSV))
		f.Add(data, uint8(JSON))
	}
	f.Add([]byte(""), uint8(Auto))
	f.Add([]byte("[{}]"), uint8(JSON))
	f.Add([]byte("a,\"b\nc"), uint8(CSV))
}

// checkRejection asserts the all-or-nothing contract: an error is a
// *ValidationError listing at least one problem, each naming the file, and
// nothing is returned with it.
func checkRejection(t *testing.T, n int, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	if n != 0 {
		t.Fatalf("%d rows returned with an error", n)
	}
	if len(ve.Problems) == 0 {
		t.Fatal("ValidationError with no problems")
	}
	for _, p := range ve.Problems {
		if p.File != "fuzz" || p.Line < 0 || p.Column < 0 || p.Message == "" {
			t.Fatalf("bad problem %+v", p)
		}
	}
}

// checkJSONSyntax asserts that the JSON reader finds a syntax error
// exactly when encoding/json does.
func checkJSONSyntax(t *testing.T, data []byte, format Format, err error) {
	t.Helper()
	if format == Auto {
		format = detect(data)
	}
	if format != JSON {
		return
	}
	valid := json.Valid(bytes.TrimPrefix(data, bom))
	syntax, notArray := false, false
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			m := p.Message
			syntax = syntax || strings.HasPrefix(m, "JSON syntax") || strings.HasPrefix(m, "JSON ends too early") || strings.HasPrefix(m, "data after the end")
			notArray = notArray || strings.HasPrefix(m, "want a JSON array")
		}
	}
	if valid && syntax {
		t.Fatalf("syntax error reported in valid JSON: %v", err)
	}
	if !valid && !syntax && !notArray {
		t.Fatalf("invalid JSON accepted: %v", err)
	}
}

func FuzzParseRecords(f *testing.F) {
	addSeeds(f, "records*")
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		fuzzParse(t, "record", data, Format(format%3), ParseRecords, func(r *Record) *Position { return &r.Pos })
	})
}

func FuzzParseDeclarations(f *testing.F) {
	addSeeds(f, "declarations*")
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		fuzzParse(t, "declaration", data, Format(format%3), ParseDeclarations, func(d *Declaration) *Position { return &d.Pos })
	})
}

// fuzzParse parses data: a rejection must be well formed, and what was
// accepted exports and imports back to the same rows (pos: a row's
// position, which JSON does not carry).
func fuzzParse[T comparable](t *testing.T, what string, data []byte, format Format, parse func([]byte, string, Format) ([]T, error), pos func(*T) *Position) {
	rows, err := parse(data, "fuzz", format)
	checkJSONSyntax(t, data, format, err)
	if err != nil {
		checkRejection(t, len(rows), err)
		return
	}
	out, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parse(out, "fuzz", JSON)
	if err != nil || len(back) != len(rows) {
		t.Fatalf("accepted %ss do not round-trip: %v\n%s", what, err, out)
	}
	for i := range rows {
		a, b := rows[i], back[i]
		*pos(&a), *pos(&b) = Position{}, Position{}
		if a != b {
			t.Fatalf("%s %d: %+v != %+v", what, i, a, b)
		}
	}
}

// FuzzJSONString checks the lexer's strings against encoding/json: the same
// inputs accepted, decoded to the same text.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`plain`, `a\"b`, `\u00e8\ud83d\ude00`, `\ud800x`, `\x`, "tab\there", `\u12`, "ctl\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw := []byte(`"` + s + `"`)
		var want string
		errStd := json.Unmarshal(raw, &want)
		l := lexer{data: raw}
		tok, err := l.next()
		ok := err == nil && tok.kind == tString && l.i == len(raw)
		if ok != (errStd == nil) {
			t.Fatalf("%q: lexer ok=%v (%v), encoding/json err=%v", raw, ok, err, errStd)
		}
		if ok && tok.text != want {
			t.Fatalf("%q: lexer %q, encoding/json %q", raw, tok.text, want)
		}
	})
}
