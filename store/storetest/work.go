package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// testClaimComplete: claims take pages oldest first, completions and
// failures show in the batch's progress and status.
func testClaimComplete(t *testing.T, c context.Context, s Store) {
	bc := mustBatch(t, s, station205, file("three pages", 3))
	id := bc.Batch.ID

	c1 := claim(t, s, time.Hour)
	if c1.Page.Index != 1 || c1.Page.State != store.PageRunning || c1.Page.Attempts != 1 || c1.Token == "" || c1.Page.StartedAt.IsZero() {
		t.Fatalf("first claim = %+v", c1)
	}
	if !c1.LeaseUntil.After(time.Now().Add(59 * time.Minute)) {
		t.Fatalf("lease until %v, want about an hour from now", c1.LeaseUntil)
	}
	if b := progress(t, s, id); b.Status != store.BatchRunning || b.Progress.Running != 1 || b.Progress.Queued != 2 {
		t.Fatalf("after claim: %s %+v", b.Status, b.Progress)
	}
	r1 := result(page.OK, "205", "99999", "1", "1234567890")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Token: c1.Token, Result: r1, Millis: 42}), "CompletePage")
	p1, err := s.GetPage(c, c1.Page.ID, admin)
	ok(t, err, "GetPage")
	if p1.State != store.PageDone || p1.Millis != 42 || p1.FinishedAt.IsZero() || !reflect.DeepEqual(*p1.Result, r1) {
		t.Fatalf("completed page = %+v\nresult %+v\nwant   %+v", p1, p1.Result, r1)
	}

	c2 := claim(t, s, time.Hour)
	if c2.Page.Index != 2 {
		t.Fatalf("second claim took page %d, want 2", c2.Page.Index)
	}
	r2 := result(page.Review, "205", "99999", "2")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: c2.Page.ID, Token: c2.Token, Result: r2,
		Review: []store.NewReviewItem{{Field: "progressive", Reason: string(page.ReasonProgressiveUnread)}}}), "CompletePage(review)")

	c3 := claim(t, s, time.Hour)
	ok(t, s.FailPage(c, c3.Page.ID, c3.Token, "decoder crashed"), "FailPage")
	_, err = s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage(empty)")
	if d, _ := s.QueueDepth(c); d != 0 {
		t.Fatalf("QueueDepth = %d, want 0", d)
	}

	b := progress(t, s, id)
	want := store.Progress{Total: 3, Finished: 3, OK: 1, Review: 1, Failed: 1}
	if b.Status != store.BatchFailed || b.Progress != want {
		t.Fatalf("final: %s %+v, want failed %+v", b.Status, b.Progress, want)
	}
	p3, _ := s.GetPage(c, c3.Page.ID, admin)
	if p3.State != store.PageFailed || p3.Error != "decoder crashed" {
		t.Fatalf("failed page = %+v", p3)
	}

	err = s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Token: c1.Token, Result: r1})
	is(t, err, store.ErrConflict, "CompletePage twice")
	err = s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Result: r1})
	is(t, err, store.ErrConflict, "CompletePage twice without token")
	err = s.CompletePage(c, store.PageOutcome{PageID: 999999, Result: r1})
	is(t, err, store.ErrNotFound, "CompletePage(unknown page)")
	_, err = s.ClaimPage(c, store.ClaimOptions{})
	is(t, err, store.ErrInvalid, "ClaimPage(no lease)")

	// A batch whose pages all end well is done; a bad status is refused.
	done := mustBatch(t, s, station205, file("single", 1)).Batch.ID
	cd := claim(t, s, time.Hour)
	bad := r1
	bad.Status = "maybe"
	is(t, s.CompletePage(c, store.PageOutcome{PageID: cd.Page.ID, Token: cd.Token, Result: bad}), store.ErrInvalid, "CompletePage(bad status)")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: cd.Page.ID, Token: cd.Token, Result: result(page.Rejected, "", "", "")}), "CompletePage(rejected)")
	if b := progress(t, s, done); b.Status != store.BatchDone || b.Progress.Rejected != 1 || b.Progress.Finished != 1 {
		t.Fatalf("single-page batch: %s %+v", b.Status, b.Progress)
	}
}

func testLeaseExpiry(t *testing.T, c context.Context, s Store) {
	mustBatch(t, s, station205, file("lease", 1))
	first := claim(t, s, 30*time.Millisecond)
	time.Sleep(80 * time.Millisecond) // the worker "crashed": its lease runs out
	second := claim(t, s, time.Hour)
	if second.Page.ID != first.Page.ID || second.Page.Attempts != 2 || second.Token == first.Token {
		t.Fatalf("re-claim = page %d attempt %d; first was page %d", second.Page.ID, second.Page.Attempts, first.Page.ID)
	}
	_, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage while the live lease holds")

	r := result(page.OK, "205", "99999", "1")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: first.Page.ID, Token: first.Token, Result: r}), store.ErrLeaseLost, "CompletePage(stale token)")
	is(t, s.ExtendLease(c, first.Page.ID, first.Token, time.Hour), store.ErrLeaseLost, "ExtendLease(stale token)")
	is(t, s.FailPage(c, first.Page.ID, first.Token, "x"), store.ErrLeaseLost, "FailPage(stale token)")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: second.Page.ID, Token: second.Token, Result: r}), "CompletePage(live token)")
	p, _ := s.GetPage(c, first.Page.ID, admin)
	if p.State != store.PageDone || p.Attempts != 2 {
		t.Fatalf("page after re-claim: state %s attempts %d", p.State, p.Attempts)
	}
}

func testLeaseExhausted(t *testing.T, c context.Context, s Store) {
	id := mustBatch(t, s, station205, file("poison", 1)).Batch.ID
	opt := store.ClaimOptions{Lease: 20 * time.Millisecond, MaxAttempts: 2}
	for i := 1; i <= 2; i++ {
		cl, err := s.ClaimPage(c, opt)
		ok(t, err, fmt.Sprintf("claim %d", i))
		if cl.Page.Attempts != i {
			t.Fatalf("claim %d: attempts %d", i, cl.Page.Attempts)
		}
		time.Sleep(60 * time.Millisecond)
	}
	_, err := s.ClaimPage(c, opt)
	is(t, err, store.ErrNoWork, "claim after the last attempt")
	b := progress(t, s, id)
	if b.Status != store.BatchFailed || b.Progress.Failed != 1 {
		t.Fatalf("batch after exhausted page: %s %+v", b.Status, b.Progress)
	}
	pages, _ := s.ListPages(c, id, admin)
	if pages[0].State != store.PageFailed || !strings.Contains(pages[0].Error, "lease expired after 2 attempts") {
		t.Fatalf("exhausted page: %s %q", pages[0].State, pages[0].Error)
	}
}

func testReleaseExtend(t *testing.T, c context.Context, s Store) {
	mustBatch(t, s, station205, file("release", 1))
	cl := claim(t, s, time.Hour)
	is(t, s.ReleasePage(c, cl.Page.ID, "wrong token"), store.ErrLeaseLost, "ReleasePage(wrong token)")
	ok(t, s.ReleasePage(c, cl.Page.ID, cl.Token), "ReleasePage")
	p, _ := s.GetPage(c, cl.Page.ID, admin)
	if p.State != store.PageQueued || p.Attempts != 0 {
		t.Fatalf("released page: %s attempts %d, want queued 0", p.State, p.Attempts)
	}
	cl = claim(t, s, 40*time.Millisecond)
	if cl.Page.Attempts != 1 {
		t.Fatalf("claim after release: attempts %d, want 1", cl.Page.Attempts)
	}
	ok(t, s.ExtendLease(c, cl.Page.ID, cl.Token, time.Hour), "ExtendLease")
	time.Sleep(100 * time.Millisecond) // past the original lease, not the extended one
	_, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage after ExtendLease")
}

func testConcurrentClaims(t *testing.T, c context.Context, s Store) {
	const pages, workers = 24, 6
	id := mustBatch(t, s, station205, file("many", pages)).Batch.ID
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cl, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Minute})
				if errors.Is(err, store.ErrNoWork) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				seen[cl.Page.ID]++
				mu.Unlock()
				if err := s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: result(page.OK, "205", "", "")}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	if len(seen) != pages {
		t.Fatalf("%d distinct pages claimed, want %d", len(seen), pages)
	}
	for p, n := range seen {
		if n != 1 {
			t.Fatalf("page %d claimed %d times", p, n)
		}
	}
	if b := progress(t, s, id); b.Status != store.BatchDone || b.Progress.OK != pages {
		t.Fatalf("batch: %s %+v", b.Status, b.Progress)
	}
}

func testCompleteWithoutClaim(t *testing.T, c context.Context, s Store) {
	// River's workers complete a page without a store lease.
	bc := mustBatch(t, s, station205, file("river", 1))
	pages, _ := s.ListPages(c, bc.Batch.ID, admin)
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: pages[0].ID, Result: result(page.OK, "205", "99999", "1")}), "CompletePage(no token)")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: pages[0].ID, Result: result(page.OK, "205", "99999", "1")}),
		store.ErrConflict, "second completion (a retried job)")
	if b := progress(t, s, bc.Batch.ID); b.Status != store.BatchDone {
		t.Fatalf("batch %s", b.Status)
	}
}
