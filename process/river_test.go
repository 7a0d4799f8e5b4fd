package process_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/internal/pgtest"
	"github.com/regfus/regfus/internal/servicetest"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/postgres"
)

// pgEnv is one "process": its own pool on the schema, its own engine.
type pgEnv struct {
	store *postgres.Store
	eng   *process.Engine
}

func newPGEnv(t *testing.T, schema, dataDir string, tune func(*process.Config)) *pgEnv {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Schema: schema, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dataDir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := process.Config{Store: s, Blobs: blobs, Queue: process.RiverQueue(s.Pool()), Workers: 1, CPU: 1, NewReader: servicetest.BarsOnly,
		PollInterval: 100 * time.Millisecond, Logger: quietLog()}
	if tune != nil {
		tune(&cfg)
	}
	eng, err := process.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !eng.UsesRiver() {
		t.Fatal("a PostgreSQL engine does not use River")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stopping: %v", err)
		}
		s.Close()
	})
	return &pgEnv{store: s, eng: eng}
}

// jobsPerPage counts the River page jobs of each page, and how many of
// them completed.
func jobsPerPage(t *testing.T, s *postgres.Store) (all, completed map[int64]int) {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(),
		`SELECT CAST(args->>'page_id' AS bigint), state FROM river_job WHERE kind = $1`, process.PageArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	all, completed = map[int64]int{}, map[int64]int{}
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			t.Fatal(err)
		}
		all[id]++
		if state == "completed" {
			completed[id]++
		}
	}
	return all, completed
}

// TestRiverProcessesEachPageOnce: two worker engines (two pools, as two
// processes would have) share a batch through River; each page has one
// job, completed, and one result; the same bytes again add no job.
func TestRiverProcessesEachPageOnce(t *testing.T) {
	t.Parallel()
	schema := pgtest.Schema(t, "regfus_process")
	data := t.TempDir()
	a := newPGEnv(t, schema, data, nil)
	b := newPGEnv(t, schema, data, nil)
	ctx := testCtx(t)
	rc, err := a.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{
		upload(t, "0007-batch-tiff.tif"), upload(t, "0001-clean.png"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*pgEnv{a, b} {
		if err := e.eng.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	final := waitDone(t, a.eng, rc.Batch.ID, 5*time.Minute)
	if final.Progress.Finished != rc.Batch.Progress.Total {
		t.Fatalf("final %+v", final.Progress)
	}
	pages := servicetest.RecordedOnce(t, a.store, rc.Batch.ID)
	// River marks a job completed just after Work returns.
	all, completed := jobsPerPage(t, a.store)
	for deadline := time.Now().Add(30 * time.Second); len(completed) < len(pages) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		all, completed = jobsPerPage(t, a.store)
	}
	for _, p := range pages {
		if all[p.ID] != 1 || completed[p.ID] != 1 {
			t.Errorf("page %d: %d jobs, %d completed; want one, completed", p.ID, all[p.ID], completed[p.ID])
		}
	}
	read := value(a.eng.Metrics().Pages.WithLabelValues(process.OutcomeReview)) + value(a.eng.Metrics().Pages.WithLabelValues(process.OutcomeOK)) +
		value(a.eng.Metrics().Pages.WithLabelValues(process.OutcomeRejected)) +
		value(b.eng.Metrics().Pages.WithLabelValues(process.OutcomeReview)) + value(b.eng.Metrics().Pages.WithLabelValues(process.OutcomeOK)) +
		value(b.eng.Metrics().Pages.WithLabelValues(process.OutcomeRejected))
	if int(read) != len(pages) {
		t.Errorf("the two engines recorded %v results for %d pages", read, len(pages))
	}

	again, err := b.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, "0001-clean.png")}})
	if err != nil || !again.Files[0].Known {
		t.Fatalf("re-upload: %+v %v", again.Files, err)
	}
	if n, _ := jobsPerPage(t, a.store); len(n) != len(pages) {
		t.Errorf("re-upload added jobs: %d pages have jobs, want %d", len(n), len(pages))
	}
}

// TestRiverSweepsPagesWithoutJobs: pages committed without their jobs (the
// process died between the two) are enqueued when a worker starts.
func TestRiverSweepsPagesWithoutJobs(t *testing.T) {
	t.Parallel()
	schema := pgtest.Schema(t, "regfus_process")
	data := t.TempDir()
	w := newPGEnv(t, schema, data, nil)
	ctx := testCtx(t)
	b, err := os.ReadFile(filepath.Join(scans, "0002-office.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := blob.Open(filepath.Join(data, "blobs"))
	ref, _, err := blobs.Put(context.Background(), bytesUpload("", b).Body)
	if err != nil {
		t.Fatal(err)
	}
	created, err := w.store.CreateBatch(ctx, store.NewBatch{Owner: station, Files: []store.NewFile{
		{SHA256: ref.SHA256, Name: "0002-office.jpg", Size: ref.Size, MediaType: "image/jpeg", BlobPath: ref.Path, Pages: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitDone(t, w.eng, created.Batch.ID, 3*time.Minute)
	servicetest.RecordedOnce(t, w.store, created.Batch.ID)
}
