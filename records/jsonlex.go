package records

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON lexer. encoding/json's Decoder.Token would do, but it
// allocates several times per token and made a 100,000-record import take
// seconds; the imports need only flat tokens with their byte offsets. The
// fuzz targets check that it accepts exactly what encoding/json accepts.

type tokKind uint8

const (
	tEOF tokKind = iota
	tBeginArray
	tEndArray
	tBeginObject
	tEndObject
	tComma
	tColon
	tString
	tNumber
	tTrue
	tFalse
	tNull
)

func (k tokKind) String() string {
	return [...]string{"end of input", "'['", "']'", "'{'", "'}'", "','", "':'", "a string", "a number", "true", "false", "null"}[k]
}

type token struct {
	kind  tokKind
	start int    // byte offset of the token
	text  string // decoded string, or the number as written
}

// syntaxError is a JSON syntax error at byte offset off.
type syntaxError struct {
	off int
	msg string
	eof bool // the input ended too early
}

func (e *syntaxError) Error() string { return e.msg }

type lexer struct {
	data []byte
	i    int
}

func (l *lexer) fail(off int, format string, a ...any) (token, error) {
	return token{}, &syntaxError{off: off, msg: fmt.Sprintf(format, a...)}
}

func (l *lexer) eof() (token, error) {
	return token{}, &syntaxError{off: len(l.data), msg: "unexpected end of JSON", eof: true}
}

func (l *lexer) next() (token, error) {
	d := l.data
	for l.i < len(d) && (d[l.i] == ' ' || d[l.i] == '\t' || d[l.i] == '\n' || d[l.i] == '\r') {
		l.i++
	}
	if l.i >= len(d) {
		return token{kind: tEOF, start: l.i}, nil
	}
	start := l.i
	c := d[l.i]
	var k tokKind
	switch c {
	case '[':
		k = tBeginArray
	case ']':
		k = tEndArray
	case '{':
		k = tBeginObject
	case '}':
		k = tEndObject
	case ',':
		k = tComma
	case ':':
		k = tColon
	}
	if k != tEOF {
		l.i++
		return token{kind: k, start: start}, nil
	}
	switch {
	case c == '"':
		return l.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return l.number()
	case c == 't':
		return l.literal("true", tTrue)
	case c == 'f':
		return l.literal("false", tFalse)
	case c == 'n':
		return l.literal("null", tNull)
	}
	r, _ := utf8.DecodeRune(d[l.i:])
	return l.fail(start, "invalid character %q", r)
}

func (l *lexer) literal(word string, k tokKind) (token, error) {
	start := l.i
	for j := 0; j < len(word); j++ {
		if l.i+j >= len(l.data) {
			return l.eof()
		}
		if l.data[l.i+j] != word[j] {
			return l.fail(l.i+j, "invalid character %q in literal %s", l.data[l.i+j], word)
		}
	}
	l.i += len(word)
	return token{kind: k, start: start}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (l *lexer) number() (token, error) {
	d, start := l.data, l.i
	digits := func() (int, error) {
		n := 0
		for l.i < len(d) && isDigit(d[l.i]) {
			l.i++
			n++
		}
		if n == 0 {
			if l.i >= len(d) {
				return 0, &syntaxError{off: len(d), msg: "unexpected end of JSON", eof: true}
			}
			return 0, &syntaxError{off: l.i, msg: fmt.Sprintf("invalid character %q in number", d[l.i])}
		}
		return n, nil
	}
	if d[l.i] == '-' {
		l.i++
	}
	if l.i < len(d) && d[l.i] == '0' {
		l.i++
	} else if _, err := digits(); err != nil {
		return token{}, err
	}
	if l.i < len(d) && d[l.i] == '.' {
		l.i++
		if _, err := digits(); err != nil {
			return token{}, err
		}
	}
	if l.i < len(d) && (d[l.i] == 'e' || d[l.i] == 'E') {
		l.i++
		if l.i < len(d) && (d[l.i] == '+' || d[l.i] == '-') {
			l.i++
		}
		if _, err := digits(); err != nil {
			return token{}, err
		}
	}
	return token{kind: tNumber, start: start, text: string(d[start:l.i])}, nil
}

// str scans a string, decoding escapes as encoding/json does.
func (l *lexer) str() (token, error) {
	d, start := l.data, l.i
	l.i++ // opening quote
	plain := true
	for {
		if l.i >= len(d) {
			return l.eof()
		}
		c := d[l.i]
		switch {
		case c == '"':
			l.i++
			raw := d[start+1 : l.i-1]
			if plain && utf8.Valid(raw) {
				return token{kind: tString, start: start, text: string(raw)}, nil
			}
			return token{kind: tString, start: start, text: unescape(raw)}, nil
		case c == '\\':
			plain = false
			if l.i+1 >= len(d) {
				return l.eof()
			}
			switch d[l.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				l.i += 2
			case 'u':
				for j := 2; j < 6; j++ {
					if l.i+j >= len(d) {
						return l.eof()
					}
					if !isHex(d[l.i+j]) {
						return l.fail(l.i+j, "invalid character %q in \\u escape", d[l.i+j])
					}
				}
				l.i += 6
			default:
				return l.fail(l.i+1, "invalid escape \\%c in string", d[l.i+1])
			}
		case c < 0x20:
			return l.fail(l.i, "control character %q in string", c)
		default:
			l.i++
		}
	}
}

func isHex(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

// unescape decodes the inside of a valid JSON string with escapes. Lone
// surrogates and invalid UTF-8 become U+FFFD, as with encoding/json.
func unescape(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			r, n := utf8.DecodeRune(raw[i:])
			b.WriteRune(r)
			i += n
			continue
		}
		switch raw[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r1 := hex4(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r1) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r := utf16.DecodeRune(r1, hex4(raw[i+2:i+6])); r != utf8.RuneError {
						b.WriteRune(r)
						i += 6
						continue
					}
				}
				r1 = utf8.RuneError
			}
			b.WriteRune(r1)
			continue
		default: // " \ /
			b.WriteByte(raw[i+1])
		}
		i += 2
	}
	return b.String()
}

func hex4(h []byte) rune {
	v, _ := strconv.ParseUint(string(h), 16, 32)
	return rune(v)
}
