package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
)

// scriptedBatches is a Store whose GetBatch returns the batches of a
// script in turn (an error where a batch has ID 0), then the last one
// again; the rest of Store is not used (a seam for FollowBatch alone).
type scriptedBatches struct {
	Store
	mu     sync.Mutex
	script []Batch
	reads  int
}

func (s *scriptedBatches) GetBatch(ctx context.Context, id int64, sc auth.Scope) (Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.script[min(s.reads, len(s.script)-1)]
	s.reads++
	if b.ID == 0 {
		return Batch{}, errors.New("store away")
	}
	return b, nil
}

func progress(queued, ok int) Batch {
	p := Progress{Total: queued + ok, Queued: queued, Finished: ok, OK: ok}
	return Batch{ID: 1, Status: StatusOf(p), Progress: p}
}

// TestFollowBatch: the first batch at once, then only changes, the store
// going away pauses the stream, the batch done ends it; wake re-reads
// before the interval.
func TestFollowBatch(t *testing.T) {
	t.Parallel()
	done := func(b Batch) bool { return b.Progress.Queued == 0 }
	for _, tc := range []struct {
		name     string
		interval time.Duration
		wake     bool
	}{{"polled", time.Millisecond, false}, {"woken", time.Hour, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &scriptedBatches{script: []Batch{progress(3, 0), progress(3, 0), {}, progress(2, 1), progress(2, 1), {}, progress(0, 3)}}
			var wake func() <-chan struct{}
			if tc.wake {
				wake = func() <-chan struct{} {
					ch := make(chan struct{})
					close(ch)
					return ch
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ch, err := FollowBatch(ctx, s, 1, auth.Scope{}, tc.interval, wake, done)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for b := range ch {
				got = append(got, b.Progress.Queued)
			}
			if len(got) != 3 || got[0] != 3 || got[1] != 2 || got[2] != 0 {
				t.Errorf("queued counts streamed %v, want [3 2 0]", got)
			}
			if ctx.Err() != nil {
				t.Errorf("the stream ended by the deadline, not by the batch being done")
			}
		})
	}
	s := &scriptedBatches{script: []Batch{{}}}
	if _, err := FollowBatch(context.Background(), s, 1, auth.Scope{}, time.Second, nil, done); err == nil {
		t.Error("FollowBatch of a batch the store does not give: no error")
	}
}
