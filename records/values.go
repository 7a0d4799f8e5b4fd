package records

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// value returns the cleaned text of c for column col. ok is false when a
// problem was reported; present is false when the value is absent, null or
// empty (allowed only for optional columns, else a problem).
func value(c cell, col column, ps *problems) (text string, present, ok bool) {
	switch c.kind {
	case kindMissing:
		if col.optional {
			return "", false, true
		}
		ps.at(c, col.name, "key missing from the object")
		return "", false, false
	case kindNull:
		if col.optional {
			return "", false, true
		}
		ps.at(c, col.name, "null, want a value")
		return "", false, false
	case kindOther:
		want := "a string"
		if col.number {
			want = "a number or a string"
		}
		ps.at(c, col.name, "%s, want %s", c.text, want)
		return "", false, false
	case kindNumber:
		if !col.number {
			ps.at(c, col.name, "number %s, want a string (a number loses leading zeros)", c.text)
			return "", false, false
		}
	}
	t := clean(c.text)
	if t == "" {
		if col.optional {
			return "", false, true
		}
		ps.at(c, col.name, "empty, want a value")
		return "", false, false
	}
	return t, true, true
}

// digitsCode checks a fixed-length numeric code such as an ASL.
func digitsCode(c cell, col column, n int, ps *problems) (string, bool) {
	t, present, ok := value(c, col, ps)
	if !ok || !present {
		return "", false
	}
	if len(t) != n || !isDigits(t) {
		ps.at(c, col.name, "%q: want %d digits", t, n)
		return "", false
	}
	return t, true
}

// identifier checks a free-form identifier: at most 64 characters, none of
// them control characters.
func identifier(c cell, col column, ps *problems) (string, bool) {
	t, present, ok := value(c, col, ps)
	if !ok || !present {
		return "", ok && !present
	}
	if n := len([]rune(t)); n > 64 {
		ps.at(c, col.name, "%d characters, at most 64", n)
		return "", false
	}
	if strings.IndexFunc(t, unicode.IsControl) >= 0 {
		ps.at(c, col.name, "%q contains a control character", t)
		return "", false
	}
	return t, true
}

// integer checks a whole number in [lo, hi].
func integer(c cell, col column, lo, hi int, ps *problems) (int, bool) {
	t, present, ok := value(c, col, ps)
	if !ok || !present {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	if err != nil || strings.HasPrefix(t, "+") || len(t) > 6 {
		ps.at(c, col.name, "%q: want a whole number %d-%d", t, lo, hi)
		return 0, false
	}
	if n < lo || n > hi {
		ps.at(c, col.name, "%d out of range %d-%d", n, lo, hi)
		return 0, false
	}
	return n, true
}

// enum checks one of a fixed set of values, exactly as written in SPEC 4.
func enum[T ~string](c cell, col column, ps *problems, allowed ...T) (T, bool) {
	t, present, ok := value(c, col, ps)
	if !ok || !present {
		return "", false
	}
	for _, a := range allowed {
		if t == string(a) {
			return a, true
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	hint := ""
	for _, a := range allowed {
		if strings.EqualFold(t, string(a)) {
			hint = fmt.Sprintf(" (write it %q)", a)
		}
	}
	ps.at(c, col.name, "%q: want one of %s%s", t, strings.Join(names, ", "), hint)
	return "", false
}
