package fustella

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

func TestAICWorkedExample(t *testing.T) {
	t.Parallel()
	// SPEC section 3: 01234567 -> check 6 -> 012345676 -> bars 0CSSBD.
	a, err := NewAIC("01234567")
	if err != nil {
		t.Fatal(err)
	}
	if a != "012345676" {
		t.Fatalf("NewAIC = %s, want 012345676", a)
	}
	if got := a.Code32(); got != "0CSSBD" {
		t.Fatalf("Code32 = %s, want 0CSSBD", got)
	}
	back, err := AICFromCode32("0CSSBD")
	if err != nil || back != a {
		t.Fatalf("AICFromCode32 = %s, %v", back, err)
	}
	if a.Printed() != "A012345676" {
		t.Fatalf("Printed = %s", a.Printed())
	}
}

func TestParseAIC(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want AIC
		bad  bool
	}{
		{in: "012345676", want: "012345676"},
		{in: "A012345676", want: "012345676"},
		{in: "012345675", bad: true},  // wrong check digit
		{in: "01234567", bad: true},   // too short
		{in: "0123456766", bad: true}, // too long
		{in: "01234567X", bad: true},  // non-digit
		{in: "", bad: true},
		{in: "AA012345676", bad: true},
	} {
		got, err := ParseAIC(tc.in)
		if tc.bad {
			if err == nil || !errors.Is(err, ErrInvalidAIC) {
				t.Errorf("ParseAIC(%q) = %v, %v; want ErrInvalidAIC", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAIC(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestCode32Errors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "0CSSB", "0CSSBDX", "0CSSBA", "ZZZZZZ", "0CSSBF"} {
		if _, err := AICFromCode32(in); !errors.Is(err, ErrInvalidCode32) {
			t.Errorf("AICFromCode32(%q) err = %v, want ErrInvalidCode32", in, err)
		}
	}
	// Only a failed check digit also wraps ErrInvalidAIC.
	if _, err := AICFromCode32("0CSSBF"); !errors.Is(err, ErrInvalidAIC) {
		t.Errorf("AICFromCode32(0CSSBF) err = %v, want it to wrap ErrInvalidAIC", err)
	}
	for _, in := range []string{"0CSSB", "0CSSBA", "ZZZZZZ"} {
		if _, err := AICFromCode32(in); errors.Is(err, ErrInvalidAIC) {
			t.Errorf("AICFromCode32(%q) err = %v wraps ErrInvalidAIC, but the fault is not the check digit", in, err)
		}
	}
}

func TestCode32RoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 10000; i++ {
		a, err := NewAIC(fmt.Sprintf("%08d", r.Intn(100_000_000)))
		if err != nil {
			t.Fatal(err)
		}
		c := a.Code32()
		if len(c) != Code32Len {
			t.Fatalf("Code32(%s) = %q, not 6 characters", a, c)
		}
		back, err := AICFromCode32(c)
		if err != nil || back != a {
			t.Fatalf("round trip %s -> %s -> %s, %v", a, c, back, err)
		}
	}
}

func TestAICCheckDigitCatchesSingleErrors(t *testing.T) {
	t.Parallel()
	a, _ := NewAIC("04123456")
	checkSingleErrors(t, string(a), func(s string) error { _, err := ParseAIC(s); return err })
}

func TestTargatura(t *testing.T) {
	t.Parallel()
	// 123456789: weights from the right 3,1,3,...: 9*3+8+7*3+6+5*3+4+3*3+2+1*3 = 95 -> check 5.
	tg, err := NewTargatura("123456789")
	if err != nil || tg != "1234567895" {
		t.Fatalf("NewTargatura = %s, %v; want 1234567895", tg, err)
	}
	for _, tc := range []struct {
		in  string
		bad bool
	}{
		{in: "1234567895"},
		{in: "0000000000"},
		{in: "1234567890", bad: true},
		{in: "123456789", bad: true},
		{in: "12345678950", bad: true},
		{in: "12345a7895", bad: true},
	} {
		_, err := ParseTargatura(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("ParseTargatura(%q) err = %v, bad = %v", tc.in, err, tc.bad)
		}
		if err != nil && !errors.Is(err, ErrInvalidTargatura) {
			t.Errorf("ParseTargatura(%q) err %v does not wrap ErrInvalidTargatura", tc.in, err)
		}
	}
}

func TestTargaturaCheckDigitCatchesSingleErrors(t *testing.T) {
	t.Parallel()
	tg, _ := NewTargatura("987654321")
	checkSingleErrors(t, string(tg), func(s string) error { _, err := ParseTargatura(s); return err })
}

// checkSingleErrors checks that parse rejects every change of one digit of
// the valid code.
func checkSingleErrors(t *testing.T, code string, parse func(string) error) {
	t.Helper()
	for pos := 0; pos < len(code); pos++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == code[pos] {
				continue
			}
			b := []byte(code)
			b[pos] = d
			if err := parse(string(b)); err == nil {
				t.Errorf("single-digit change %s -> %s passes the check", code, b)
			}
		}
	}
}
