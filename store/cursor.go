package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/regfus/regfus/sheet"
)

// EncodeCursor writes the last group of a page of reconciliations
// (ReconciliationQuery.After of the next page) as the cursor a client
// carries: base64url JSON of its four parts, opaque to clients. The REST
// API's next_cursor and the web interface's next-page link both use it.
func EncodeCursor(g sheet.Key) string {
	b, _ := json.Marshal([4]string{g.Region, g.ASL, g.Pharmacy, g.Competence})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor EncodeCursor wrote, and refuses anything
// else.
func DecodeCursor(raw string) (sheet.Key, error) {
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return sheet.Key{}, err
	}
	var k []string
	if err := json.Unmarshal(b, &k); err != nil {
		return sheet.Key{}, err
	}
	if len(k) != 4 {
		return sheet.Key{}, fmt.Errorf("%d fields, want 4", len(k))
	}
	return sheet.Key{Region: k[0], ASL: k[1], Pharmacy: k[2], Competence: k[3]}, nil
}
