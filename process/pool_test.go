package process_test

import (
	"context"
	"testing"
	"time"

	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/store"
)

// TestRestartResumes: pages queued when the server went down, and a page
// whose worker crashed holding it, are all read after a restart, each
// exactly once.
func TestRestartResumes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	first := newEnv(t, dir, nil) // never started: the server died before reading
	rc, err := first.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{
		upload(t, "0001-clean.png"), upload(t, "0007-batch-tiff.tif"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	// A worker claims a page and dies with it.
	crashed, err := first.store.ClaimPage(ctx, store.ClaimOptions{Lease: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	first.close(t)

	// The crashed claim's lease (1 s) has run out by now; the new
	// engine's own leases are long enough for a loaded test machine.
	second := newEnv(t, dir, func(c *process.Config) { c.Lease = 15 * time.Second })
	second.start(t)
	b := waitDone(t, second.eng, rc.Batch.ID, 5*time.Minute)
	if b.Status != store.BatchDone || b.Progress.Finished != rc.Batch.Progress.Total {
		t.Fatalf("after restart: %+v", b)
	}
	pages := servicetest.RecordedOnce(t, second.store, rc.Batch.ID)
	for _, p := range pages {
		want := 1
		if p.ID == crashed.Page.ID {
			want = 2 // the crashed claim, then the one that read it
		}
		if p.Attempts != want {
			t.Errorf("page %d: %d attempts, want %d", p.ID, p.Attempts, want)
		}
	}
}

// TestStopHandsPagesBack: a graceful stop that cannot wait for pages in
// progress hands them back to the queue at once (no attempt counted, no
// lease to wait for), and the next start reads them.
func TestStopHandsPagesBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	first := newEnv(t, dir, func(c *process.Config) { c.ShutdownGrace = time.Nanosecond; c.Lease = time.Hour })
	rc, err := first.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, "0008-batch-pdf.pdf")}})
	if err != nil {
		t.Fatal(err)
	}
	first.start(t)
	deadline := time.Now().Add(time.Minute)
	for {
		b, err := first.store.GetBatch(ctx, rc.Batch.ID, admin)
		if err != nil {
			t.Fatal(err)
		}
		if b.Progress.Running > 0 {
			break
		}
		if time.Now().After(deadline) || process.Finished(b) {
			t.Fatalf("no page seen running: %+v", b.Progress)
		}
		time.Sleep(5 * time.Millisecond)
	}
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := first.eng.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	pages, err := first.store.ListPages(ctx, rc.Batch.ID, admin)
	if err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, p := range pages {
		switch p.State {
		case store.PageRunning:
			t.Errorf("page %d still running after stop", p.ID)
		case store.PageQueued:
			queued++
			if p.Attempts != 0 {
				t.Errorf("page %d handed back with %d attempts counted", p.ID, p.Attempts)
			}
		}
	}
	if queued == 0 {
		t.Fatal("no page was handed back: the stop waited for them")
	}
	first.close(t)

	// With leases of an hour, only pages handed back can be read now.
	second := newEnv(t, dir, func(c *process.Config) { c.Lease = time.Hour })
	second.start(t)
	waitDone(t, second.eng, rc.Batch.ID, 5*time.Minute)
	servicetest.RecordedOnce(t, second.store, rc.Batch.ID)
}

// TestEventsSeePagesOfOtherProcesses: a progress stream on an engine that
// reads nothing itself follows pages finished by another engine on the
// same store (it polls), to the end.
func TestEventsSeePagesOfOtherProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	front := newEnv(t, dir, func(c *process.Config) { c.Workers = -1 })
	back := newEnv(t, dir, nil)
	rc, err := front.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, "0007-batch-tiff.tif")}})
	if err != nil {
		t.Fatal(err)
	}
	front.start(t) // no workers: only the stream's polling
	ch, err := front.eng.Events(ctx, rc.Batch.ID, station)
	if err != nil {
		t.Fatal(err)
	}
	back.start(t)
	var seen []store.Progress
	for b := range ch {
		seen = append(seen, b.Progress)
	}
	if len(seen) < 2 {
		t.Fatalf("stream sent %v", seen)
	}
	last := seen[len(seen)-1]
	if last.Finished != last.Total || last.Total != rc.Batch.Progress.Total {
		t.Fatalf("stream ended at %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] == seen[i-1] || seen[i].Finished < seen[i-1].Finished {
			t.Errorf("event %d repeats or goes back: %+v after %+v", i, seen[i], seen[i-1])
		}
	}
	// Out of scope is not found, at once.
	other := station
	other.ASL = "999"
	if _, err := front.eng.Events(ctx, rc.Batch.ID, other); err == nil {
		t.Error("a station of another ASL got the stream")
	}
}
