package sheet

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseCode(t *testing.T) {
	t.Parallel()
	c := mustParseCode(t, "12020599999012023")
	want := Code{Region: "120", ASL: "205", Pharmacy: "99999", Month: 1, Year: 2023}
	if c != want {
		t.Fatalf("ParseCode = %+v, want %+v", c, want)
	}
	if c.String() != "12020599999012023" || c.Competence() != "2023-01" {
		t.Fatalf("formatting: %s %s", c, c.Competence())
	}
}

func TestParseCodeErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, says string }{
		{"1202059999901202", "16 characters"},
		{"120205999990120233", "18 characters"},
		{"12020599999002023", "month 00"},
		{"12020599999132023", "month 13"},
		{"1202059999901202X", "character 17"},
		{"12020599999011899", "year 1899"},
		{"", "0 characters"},
		{"12020599999 12023", "character 12"},
	} {
		_, err := ParseCode(tc.in)
		if err == nil || !errors.Is(err, ErrInvalidCode) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseCode(%q) err = %v, want one saying %q", tc.in, err, tc.says)
		}
	}
}

func TestNewCode(t *testing.T) {
	t.Parallel()
	if _, err := NewCode("120", "205", "999999", 1, 2023); err == nil || !strings.Contains(err.Error(), "pharmacy") {
		t.Errorf("6-digit pharmacy accepted: %v", err)
	}
	if _, err := NewCode("120", "2O5", "99999", 1, 2023); err == nil || !strings.Contains(err.Error(), "ASL") {
		t.Errorf("non-numeric ASL accepted: %v", err)
	}
	c, err := NewCode("120", "205", "99999", 12, 2024)
	if err != nil || c.String() != "12020599999122024" {
		t.Errorf("NewCode = %s, %v", c, err)
	}
}

func TestParseProgressive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Progressive
		out  string
		bad  bool
	}{
		{in: "2", want: Progressive{N: 2}, out: "2"},
		{in: "02", want: Progressive{N: 2}, out: "2"},
		{in: "D2", want: Progressive{N: 2, Dispensario: true}, out: "D2"},
		{in: "d15", want: Progressive{N: 15, Dispensario: true}, out: "D15"},
		{in: " 7 ", want: Progressive{N: 7}, out: "7"},
		{in: "0", bad: true},
		{in: "D", bad: true},
		{in: "", bad: true},
		{in: "X2", bad: true},
		{in: "2D", bad: true},
		{in: "12345", bad: true},
		{in: "-1", bad: true},
	} {
		got, err := ParseProgressive(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseProgressive(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.out {
			t.Errorf("ParseProgressive(%q) = %+v (%s), %v; want %+v (%s)", tc.in, got, got, err, tc.want, tc.out)
		}
	}
}

func TestParseCompetence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in          string
		month, year int
		bad         bool
	}{
		{in: "2023-01", month: 1, year: 2023},
		{in: "01/2023", month: 1, year: 2023},
		{in: "2023-13", bad: true},
		{in: "2023-00", bad: true},
		{in: "2023-1", bad: true},
		{in: "23-01", bad: true},
		{in: "abcd-01", bad: true},
		{in: "1999-01", bad: true},
	} {
		m, y, err := ParseCompetence(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && (m != tc.month || y != tc.year)) {
			t.Errorf("ParseCompetence(%q) = %d, %d, %v", tc.in, m, y, err)
		}
	}
}

// mustParseCode parses a sheet code the test knows to be valid.
func mustParseCode(t *testing.T, s string) Code {
	t.Helper()
	c, err := ParseCode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCodeText: a code is its 17 digits in JSON and text, both ways; text
// that is not a valid code does not decode, and an invalid Code does not
// encode.
func TestCodeText(t *testing.T) {
	c := MustParseCode("12020599999012023")
	b, err := json.Marshal(map[string]Code{"code": c})
	if err != nil || string(b) != `{"code":"12020599999012023"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var back map[string]Code
	if err := json.Unmarshal(b, &back); err != nil || back["code"] != c {
		t.Fatalf("json.Unmarshal(%s) = %v, %v", b, back, err)
	}
	for _, bad := range []string{`"12020599999132023"`, `"1202059999901202"`, `"1202059999901202x"`, `""`, `12020599999012023`} {
		var x Code
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("json.Unmarshal(%s) = %v, want an error", bad, x)
		}
	}
	if _, err := json.Marshal(Code{Region: "120", ASL: "205", Pharmacy: "99999", Month: 13, Year: 2023}); err == nil {
		t.Error("an invalid code was encoded")
	}
}
