package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/store"
)

// CreateBatch implements store.Store.
func (s *Store) CreateBatch(ctx context.Context, nb store.NewBatch) (store.BatchCreated, error) {
	if len(nb.Files) == 0 {
		return store.BatchCreated{}, fmt.Errorf("batch: %w: no files", store.ErrInvalid)
	}
	for i, f := range nb.Files {
		if f.Pages < 1 {
			return store.BatchCreated{}, fmt.Errorf("batch file %d (%s): %w: %d pages", i+1, f.Name, store.ErrInvalid, f.Pages)
		}
		if len(f.SHA256) != 64 {
			return store.BatchCreated{}, fmt.Errorf("batch file %d (%s): %w: sha256 %q", i+1, f.Name, store.ErrInvalid, f.SHA256)
		}
	}
	var out store.BatchCreated
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		if err := s.q.InsertBatch(ctx, tx, nb.OwnerKeyID, nb.Owner, t).Scan(&id); err != nil {
			return err
		}
		added := 0
		for i, f := range nb.Files {
			fo, n, err := s.addFile(ctx, tx, id, i+1, f, nb.Owner, t)
			if err != nil {
				return err
			}
			added += n
			out.Files = append(out.Files, fo)
		}
		// The queue's limit counts this upload's own pages.
		if err := s.q.QueueDepth(ctx, tx).Scan(&out.QueueDepth); err != nil {
			return err
		}
		if nb.MaxQueue > 0 && out.QueueDepth > nb.MaxQueue && added > 0 {
			return &store.QueueFullError{Depth: out.QueueDepth - added, Adding: added, Max: nb.MaxQueue}
		}
		return nil
	})
	if err != nil {
		return store.BatchCreated{}, err
	}
	out.Batch, err = s.GetBatch(ctx, id, auth.Scope{Role: auth.Admin})
	return out, err
}

// addFile records file f at position pos of batch id: the file once, its
// pages when no upload of the owner scope has made them yet. It returns
// how many pages it added.
func (s *Store) addFile(ctx context.Context, tx *sql.Tx, id int64, pos int, f store.NewFile, owner auth.Scope, t time.Time) (fo store.FileOutcome, added int, err error) {
	fo = store.FileOutcome{SHA256: f.SHA256, Pages: f.Pages}
	err = s.q.InsertFile(ctx, tx, f, t).Scan(&fo.Pages)
	if errNoRows(err) { // known: its page count as stored
		err = s.q.GetFilePages(ctx, tx, f.SHA256).Scan(&fo.Pages)
	}
	if err != nil {
		return fo, 0, err
	}
	// PostgreSQL: uploads of one file take turns from here.
	if err := s.q.LockFile(ctx, tx, f.SHA256); err != nil {
		return fo, 0, err
	}
	var origin sql.NullInt64
	if err := s.q.FindPageSet(ctx, tx, f.SHA256, owner).Scan(&origin); err != nil {
		return fo, 0, err
	}
	if origin.Valid {
		fo.Known = true
	} else {
		origin = sql.NullInt64{Int64: id, Valid: true}
		for n := 1; n <= fo.Pages; n++ {
			if err := s.q.InsertPage(ctx, tx, id, f.SHA256, n, t); err != nil {
				return fo, 0, err
			}
		}
		added = fo.Pages
	}
	n, err := s.q.InsertBatchFile(ctx, tx, id, f.SHA256, pos, f.Name, origin.Int64)
	if err != nil {
		return fo, 0, err
	}
	if n == 0 {
		fo.Repeated, fo.Known = true, true
	}
	return fo, added, nil
}

// scanBatch reads the batch columns: b.id, b.owner_key_id, b.region,
// b.asl, b.pharmacy, b.created_at and the page counts (total, queued,
// running, ok, review, rejected, failed).
func scanBatch(sc scanner) (store.Batch, error) {
	var b store.Batch
	var owner, region, asl, pharmacy sql.NullString
	var created timeCol
	p := &b.Progress
	var finishedOK, review, rejected, failed, queued, running, total sql.NullInt64
	err := sc.Scan(&b.ID, &owner, &region, &asl, &pharmacy, &created,
		&total, &queued, &running, &finishedOK, &review, &rejected, &failed)
	if err != nil {
		return b, err
	}
	b.OwnerKeyID = str(owner)
	b.Owner = auth.Scope{Key: partsKey(region, asl, pharmacy)}
	b.CreatedAt = created.T
	p.Total, p.Queued, p.Running = int(total.Int64), int(queued.Int64), int(running.Int64)
	p.OK, p.Review, p.Rejected, p.Failed = int(finishedOK.Int64), int(review.Int64), int(rejected.Int64), int(failed.Int64)
	p.Finished = p.OK + p.Review + p.Rejected + p.Failed
	b.Status = store.StatusOf(*p)
	return b, nil
}

// GetBatch implements store.Store.
func (s *Store) GetBatch(ctx context.Context, id int64, sc auth.Scope) (store.Batch, error) {
	b, err := scanBatch(s.q.GetBatch(ctx, s.db, id, sc))
	return one(b, err, "batch %d", id)
}

// ListBatches implements store.Store.
func (s *Store) ListBatches(ctx context.Context, sc auth.Scope, limit int) ([]store.Batch, error) {
	rs, err := s.q.ListBatches(ctx, s.db, sc, limit)
	return collect(rs, err, scanBatch)
}

// scanPage reads the page columns: p.id, p.batch_id, f.sha256, name,
// f.size, f.media_type, f.blob_path, f.pages, p.page_index, p.state,
// p.result, p.error, p.attempts, p.queued_at, p.started_at,
// p.finished_at, p.millis, seen-in batch (0 for none), and the creating
// batch's region, asl, pharmacy.
func scanPage(sc scanner) (store.Page, error) {
	var p store.Page
	var state string
	var result []byte
	var perr sql.NullString
	var millis sql.NullInt64
	var queued, started, finished timeCol
	var region, asl, pharmacy sql.NullString
	err := sc.Scan(&p.ID, &p.BatchID, &p.File.SHA256, &p.File.Name, &p.File.Size, &p.File.MediaType, &p.File.BlobPath,
		&p.File.Pages, &p.Index, &state, &result, &perr, &p.Attempts, &queued, &started, &finished, &millis,
		&p.SeenIn, &region, &asl, &pharmacy)
	if err != nil {
		return p, err
	}
	p.Owner = auth.Scope{Key: partsKey(region, asl, pharmacy)}
	p.State = store.PageState(state)
	p.Error = str(perr)
	p.Millis = millis.Int64
	p.QueuedAt, p.StartedAt, p.FinishedAt = queued.T, started.T, finished.T
	if len(result) > 0 {
		var r page.Result
		if err := json.Unmarshal(result, &r); err != nil {
			return p, fmt.Errorf("page %d: stored result: %w", p.ID, err)
		}
		p.Result = &r
	}
	return p, nil
}

// ListPages implements store.Store.
func (s *Store) ListPages(ctx context.Context, batchID int64, sc auth.Scope) ([]store.Page, error) {
	rs, err := s.q.ListPages(ctx, s.db, batchID, sc)
	return collect(rs, err, scanPage)
}

// GetPage implements store.Store.
func (s *Store) GetPage(ctx context.Context, id int64, sc auth.Scope) (store.Page, error) {
	p, err := scanPage(s.q.GetPage(ctx, s.db, id, sc))
	return one(p, err, "page %d", id)
}

// HasFile implements store.Store.
func (s *Store) HasFile(ctx context.Context, sha string) (bool, error) {
	var ok bool
	if err := s.q.HasFile(ctx, s.db, sha).Scan(&ok); err != nil {
		return false, err
	}
	return ok, nil
}

// ListSheetResults implements store.Store.
func (s *Store) ListSheetResults(ctx context.Context, f store.GroupFilter) ([]store.Page, error) {
	rs, err := s.q.ListSheetResults(ctx, s.db, f)
	return collect(rs, err, scanPage)
}

// FindTargature implements store.Store.
func (s *Store) FindTargature(ctx context.Context, targature []string) ([]store.SlotRef, error) {
	if len(targature) == 0 {
		return nil, nil
	}
	rs, err := s.q.FindTargature(ctx, s.db, targature)
	return collect(rs, err, func(sc scanner) (store.SlotRef, error) {
		var r store.SlotRef
		var aic, region, asl, pharmacy, competence, progressive sql.NullString
		err := sc.Scan(&r.Targatura, &r.PageID, &r.Slot, &aic, &region, &asl, &pharmacy, &competence, &progressive)
		r.AIC, r.Progressive = str(aic), str(progressive)
		r.Group = groupPtr(region, asl, pharmacy, competence)
		return r, err
	})
}
