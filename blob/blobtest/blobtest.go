// Package blobtest is the conformance suite every blob.Store passes: the
// filesystem Dir of the embedded mode and the PostgreSQL store alike. A
// store's own test calls Run with a constructor of fresh, empty stores.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/regfus/regfus/blob"
)

// Run runs every case against stores made by newStore (each case gets a
// fresh one).
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	cases := []struct {
		name string
		f    func(t *testing.T, s blob.Store)
	}{
		{"PutReadBack", testPutReadBack},
		{"ReuploadRecognised", testReupload},
		{"Unknown", testUnknown},
		{"BadDigest", testBadDigest},
		{"Sizes", testSizes},
		{"FailedReaderStoresNothing", testFailedReader},
		{"ConcurrentPutsOfOneBlob", testConcurrent},
		{"RemoveKeepsWhatWasPutSince", testRemove},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.f(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// random returns n reproducible bytes that differ per seed.
func random(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// readBack checks that Open and File both give exactly data.
func readBack(t *testing.T, s blob.Store, sha string, data []byte) {
	t.Helper()
	c := ctx(t)
	rc, err := s.Open(c, sha)
	if err != nil {
		t.Fatalf("Open(%s): %v", sha[:12], err)
	}
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", sha[:12], err)
	}
	// Seeking back reads the same bytes again (the API serves images by
	// sniffing the head first).
	if _, err := rc.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("Seek(%s): %v", sha[:12], err)
	}
	again, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) || !bytes.Equal(again, data) {
		t.Fatalf("Open(%s): %d then %d bytes, want the %d stored", sha[:12], len(got), len(again), len(data))
	}
	name, err := s.File(c, sha)
	if err != nil {
		t.Fatalf("File(%s): %v", sha[:12], err)
	}
	onDisk, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("File(%s) = %s: %d bytes (%v), want the %d stored", sha[:12], name, len(onDisk), err, len(data))
	}
}

func testPutReadBack(t *testing.T, s blob.Store) {
	c := ctx(t)
	data := random(100_000, 1)
	ref, existed, err := s.Put(c, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if existed || ref.SHA256 != digest(data) || ref.Size != int64(len(data)) {
		t.Fatalf("Put = %+v existed %v, want sha %s size %d, new", ref, existed, digest(data), len(data))
	}
	if want := ref.SHA256[:2] + "/" + ref.SHA256[2:4] + "/" + ref.SHA256; ref.Path != want {
		t.Errorf("ref path %q, want %q", ref.Path, want)
	}
	if ok, err := s.Has(c, ref.SHA256); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	readBack(t, s, ref.SHA256, data)
}

func testReupload(t *testing.T, s blob.Store) {
	c := ctx(t)
	data := random(5000, 2)
	first, existed, err := s.Put(c, bytes.NewReader(data))
	if err != nil || existed {
		t.Fatalf("first Put: existed %v, %v", existed, err)
	}
	second, existed, err := s.Put(c, bytes.NewReader(data))
	if err != nil || !existed || sameBlob(second, first) != nil {
		t.Fatalf("second Put = %+v existed %v, %v; want %+v, existed", second, existed, err, first)
	}
	// Different bytes are a different blob.
	other, existed, err := s.Put(c, bytes.NewReader(append(data, 0)))
	if err != nil || existed || other.SHA256 == first.SHA256 {
		t.Fatalf("Put of other bytes = %+v existed %v, %v", other, existed, err)
	}
	readBack(t, s, first.SHA256, data)
}

func testUnknown(t *testing.T, s blob.Store) {
	c := ctx(t)
	unknown := digest([]byte("never stored"))
	if ok, err := s.Has(c, unknown); ok || err != nil {
		t.Fatalf("Has(unknown) = %v, %v", ok, err)
	}
	if _, err := s.Open(c, unknown); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open(unknown): %v, want ErrNotFound", err)
	}
	if _, err := s.File(c, unknown); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("File(unknown): %v, want ErrNotFound", err)
	}
}

func testBadDigest(t *testing.T, s blob.Store) {
	c := ctx(t)
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 62) + "/x", strings.Repeat("g", 64)} {
		if _, err := s.Has(c, bad); err == nil {
			t.Errorf("Has(%q): no error", bad)
		}
		if _, err := s.Open(c, bad); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q): %v, want a bad-digest error", bad, err)
		}
		if _, err := s.File(c, bad); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("File(%q): %v, want a bad-digest error", bad, err)
		}
	}
}

// testSizes: empty, one byte, and sizes around and over a few MiB (a store
// may keep a blob in pieces).
func testSizes(t *testing.T, s blob.Store) {
	c := ctx(t)
	for i, n := range []int{0, 1, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345} {
		data := random(n, int64(100+i))
		ref, _, err := s.Put(c, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Put(%d bytes): %v", n, err)
		}
		if ref.Size != int64(n) || ref.SHA256 != digest(data) {
			t.Fatalf("Put(%d bytes) = %+v", n, ref)
		}
		readBack(t, s, ref.SHA256, data)
	}
}

func testFailedReader(t *testing.T, s blob.Store) {
	c := ctx(t)
	// 3 MiB arrive, then the connection breaks.
	failing := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{'x'}, 3<<20)), iotest.ErrReader(errors.New("connection reset by the client")))
	if _, _, err := s.Put(c, failing); err == nil {
		t.Fatal("Put of a failing reader: no error")
	}
	// What was read before the failure is not stored under its digest.
	if ok, _ := s.Has(c, digest(bytes.Repeat([]byte{'x'}, 3<<20))); ok {
		t.Fatal("a failed upload's bytes are stored")
	}
}

func testConcurrent(t *testing.T, s blob.Store) {
	c := ctx(t)
	data := random(2<<20, 3)
	const n = 6
	var wg sync.WaitGroup
	refs := make([]blob.Ref, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i], _, errs[i] = s.Put(c, bytes.NewReader(data))
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || sameBlob(refs[i], refs[0]) != nil {
			t.Fatalf("Put %d = %+v, %v; want %+v", i, refs[i], errs[i], refs[0])
		}
	}
	readBack(t, s, refs[0].SHA256, data)
	if _, existed, err := s.Put(c, bytes.NewReader(data)); err != nil || !existed {
		t.Fatalf("Put after the race: existed %v, %v", existed, err)
	}
}

// sameBlob checks that two Puts name the same blob (their put times
// differ: each Put refreshes it).
func sameBlob(a, b blob.Ref) error {
	a.PutAt, b.PutAt = time.Time{}, time.Time{}
	if a != b {
		return errors.New("different blobs")
	}
	return nil
}

// testRemove: Remove deletes a blob nobody put since the given time, and
// leaves one that was put again after it (a Put of known bytes refreshes
// the put time); Walk lists exactly the stored blobs.
func testRemove(t *testing.T, s blob.Store) {
	c := ctx(t)
	a, b := random(3000, 41), random(5000, 42)
	refA, _, err := s.Put(c, bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	refB, _, err := s.Put(c, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if refA.PutAt.IsZero() || refB.PutAt.IsZero() {
		t.Fatalf("Put returned no put time: %+v %+v", refA, refB)
	}
	walked := map[string]bool{}
	if err := s.Walk(c, func(sha string, at time.Time) error {
		if at.IsZero() {
			t.Errorf("Walk: %s without a put time", sha)
		}
		walked[sha] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(walked) != 2 || !walked[refA.SHA256] || !walked[refB.SHA256] {
		t.Fatalf("Walk = %v, want exactly %s and %s", walked, refA.SHA256, refB.SHA256)
	}

	// B is put again after the first Put's time: a Remove with that time
	// (a failed upload cleaning up) must leave it.
	time.Sleep(5 * time.Millisecond)
	again, existed, err := s.Put(c, bytes.NewReader(b))
	if err != nil || !existed {
		t.Fatalf("second Put of B: existed %v, %v", existed, err)
	}
	if !again.PutAt.After(refB.PutAt) {
		t.Fatalf("second Put of B left the put time at %v (first %v)", again.PutAt, refB.PutAt)
	}
	if gone, err := s.Remove(c, refB.SHA256, refB.PutAt); err != nil || gone {
		t.Fatalf("Remove(B, first put time) = %v, %v; want it kept (put again since)", gone, err)
	}
	if gone, err := s.Remove(c, refA.SHA256, refA.PutAt); err != nil || !gone {
		t.Fatalf("Remove(A, its put time) = %v, %v; want it removed", gone, err)
	}
	if ok, _ := s.Has(c, refA.SHA256); ok {
		t.Fatal("A still stored after Remove")
	}
	if _, err := s.Open(c, refA.SHA256); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open(A) after Remove: %v, want ErrNotFound", err)
	}
	if gone, err := s.Remove(c, refA.SHA256, time.Now()); err != nil || gone {
		t.Fatalf("Remove(A) again = %v, %v; want false, nil", gone, err)
	}
	// Stored anew after removal: readable again.
	if _, existed, err := s.Put(c, bytes.NewReader(a)); err != nil || existed {
		t.Fatalf("Put(A) after Remove: existed %v, %v", existed, err)
	}
	readBack(t, s, refA.SHA256, a)
	if gone, err := s.Remove(c, refB.SHA256, time.Now().Add(time.Minute)); err != nil || !gone {
		t.Fatalf("Remove(B, later) = %v, %v; want removed", gone, err)
	}
}
