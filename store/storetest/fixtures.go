package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// The scopes the cases act as.
var (
	admin      = auth.Scope{Role: auth.Admin}
	station205 = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "205"}}
	station206 = auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "206"}}
	pharmacyA  = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999"}}
	pharmacyB  = auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "11111"}}
	validator  = auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "120"}}
	otherReg   = auth.Scope{Role: auth.Validator, Key: sheet.Key{Region: "030"}}
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func sha(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:])
}

func file(content string, pages int) store.NewFile {
	d := sha(content)
	return store.NewFile{SHA256: d, Name: content + ".tif", Size: int64(len(content)), MediaType: "image/tiff",
		BlobPath: d[:2] + "/" + d[2:4] + "/" + d, Pages: pages}
}

func mustKey(t *testing.T, s store.Store, sc auth.Scope) store.APIKey {
	t.Helper()
	nk, err := auth.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	k := store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: sc, Label: "test " + sc.String()}
	if err := s.CreateKey(ctx(t), k); err != nil {
		t.Fatalf("CreateKey(%v): %v", sc, err)
	}
	return k
}

func mustBatch(t *testing.T, s store.Store, owner auth.Scope, files ...store.NewFile) store.BatchCreated {
	t.Helper()
	k := mustKey(t, s, owner)
	bc, err := s.CreateBatch(ctx(t), store.NewBatch{OwnerKeyID: k.ID, Owner: owner, Files: files})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	return bc
}

// result builds a page result of the given status for a sheet of pharmacy
// 120-ASL-PHARM in January 2023 (pharm "" = unidentified), with one filled
// slot per targatura.
func result(status page.Status, asl, pharm, progressive string, targature ...string) page.Result {
	r := page.Result{Source: "scan.tif", Page: 1, Status: status, Reasons: page.Reasons{}, Orientation: page.Int(0), LayoutVersion: 1}
	if pharm != "" {
		code := sheet.Code{Region: "120", ASL: asl, Pharmacy: pharm, Month: 1, Year: 2023}
		r.Sheet = page.Sheet{Code: page.CodeOf(code), TailCode: page.CodeOf(code), Progressive: page.Str(progressive),
			DeclaredCount: page.Int(len(targature)), Date: page.Str("2023-01-31")}
	}
	for i, tg := range targature {
		r.Slots = append(r.Slots, page.Slot{Slot: i + 1, State: page.Filled, AIC: page.Str("012345676"),
			Targatura: page.Str(tg), Confidence: 0.99, Flags: []page.Flag{}})
	}
	return r
}

func is(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func jsonEq(t *testing.T, got, want json.RawMessage, what string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got invalid JSON %q: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want invalid JSON %q: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
}

func claim(t *testing.T, s store.Store, lease time.Duration) store.Claim {
	t.Helper()
	c, err := s.ClaimPage(ctx(t), store.ClaimOptions{Lease: lease})
	ok(t, err, "ClaimPage")
	return c
}

func progress(t *testing.T, s store.Store, id int64) store.Batch {
	t.Helper()
	b, err := s.GetBatch(ctx(t), id, admin)
	ok(t, err, "GetBatch")
	return b
}

// idsOf lists the ids of xs, in order.
func idsOf[T any](xs []T, id func(T) int64) []int64 {
	var out []int64
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

// sees checks what a scope sees of a kind of thing (Batch, Page): the
// listing gives exactly want, in order, and of all, Get<what> finds those
// in want and answers ErrNotFound for the others.
func sees(t *testing.T, sc auth.Scope, what string, listed, want, all []int64, get func(id int64) error) {
	t.Helper()
	if !reflect.DeepEqual(listed, want) {
		t.Errorf("%v: List%ss = %v, want %v", sc, what, listed, want)
	}
	for _, id := range all {
		err := get(id)
		if visible := slices.Contains(want, id); visible != (err == nil) || (!visible && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("%v: Get%s(%d) error %v, want it visible: %v", sc, what, id, err, visible)
		}
	}
}
