package scanfile

import (
	"bytes"
	"unicode/utf8"
)

// Format is a supported input format.
type Format string

const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
	TIFF Format = "tiff"
	PDF  Format = "pdf"
)

// sniffLen is how many leading bytes sniff looks at. PDF readers accept the
// %PDF- header anywhere in the first 1024 bytes, and so does sniff.
const sniffLen = 1024

// sniff identifies the format from the leading bytes of a file, never from
// its name. For an unsupported file it returns "" and a short description
// of what the bytes look like ("ZIP archive", "text", ...), so the error
// can tell a user who dropped a .docx into the scan folder what happened.
func sniff(head []byte) (Format, string) {
	has := func(sig string) bool { return bytes.HasPrefix(head, []byte(sig)) }
	switch {
	case has("\x89PNG\r\n\x1a\n"):
		return PNG, ""
	case has("\xff\xd8\xff"):
		return JPEG, ""
	case has("II*\x00"), has("MM\x00*"):
		return TIFF, ""
	case has("II+\x00"), has("MM\x00+"):
		return "", "BigTIFF"
	case bytes.Contains(head, []byte("%PDF-")):
		return PDF, ""
	}
	for _, s := range signatures {
		if len(head) >= s.off+len(s.magic) && string(head[s.off:s.off+len(s.magic)]) == s.magic {
			return "", s.name
		}
	}
	if looksLikeText(head) {
		return "", "text"
	}
	return "", "unknown binary data"
}

// signatures names common things that are not scans, for the error message.
var signatures = []struct {
	off   int
	magic string
	name  string
}{
	{0, "PK\x03\x04", "ZIP"},
	{0, "PK\x05\x06", "ZIP"},
	{0, "PK\x07\x08", "ZIP"},
	{0, "GIF87a", "GIF image"},
	{0, "GIF89a", "GIF image"},
	{0, "BM", "BMP image"},
	{8, "WEBP", "WebP image"},
	{0, "\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000 image"},
	{0, "\xff\x4f\xff\x51", "JPEG 2000 image"},
	{4, "ftypheic", "HEIC image"},
	{4, "ftypheix", "HEIC image"},
	{4, "ftypmif1", "HEIF image"},
	{4, "ftypavif", "AVIF image"},
	{4, "ftyp", "MP4/QuickTime media"},
	{0, "\x1f\x8b", "gzip archive"},
	{0, "7z\xbc\xaf\x27\x1c", "7-Zip archive"},
	{0, "Rar!\x1a\x07", "RAR archive"},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"},
	{0, "%!PS", "PostScript"},
	{0, "\x7fELF", "executable"},
	{0, "P1", "Netpbm image"},
	{0, "P2", "Netpbm image"},
	{0, "P3", "Netpbm image"},
	{0, "P4", "Netpbm image"},
	{0, "P5", "Netpbm image"},
	{0, "P6", "Netpbm image"},
}

// looksLikeText reports whether head is valid UTF-8 made of printable
// characters and ordinary whitespace (a truncated last rune is allowed).
func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n <= 1 {
			if len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:]) {
				return true
			}
			return false
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			return false
		}
		i += n
	}
	return true
}
