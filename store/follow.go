package store

import (
	"context"
	"time"

	"github.com/regfus/regfus/auth"
)

// FollowBatch streams a batch's progress as s shows it to scope: the
// batch as it is now, then the batch again each time its progress
// changes or done starts to hold, until done holds for the last value
// sent or ctx ends; then the channel is closed. It re-reads the batch
// every interval, and at once whenever the channel wake returns is
// closed (nil: interval alone). A batch out of scope is ErrNotFound,
// returned at once. While the store is unreachable the stream pauses and
// resumes when it answers again; it does not end on its own.
//
// It is the one polling loop behind process.Engine.Events (woken by the
// pages its process finishes) and the API's store-only progress.
func FollowBatch(ctx context.Context, s Store, batchID int64, scope auth.Scope, interval time.Duration,
	wake func() <-chan struct{}, done func(Batch) bool) (<-chan Batch, error) {
	b, err := s.GetBatch(ctx, batchID, scope)
	if err != nil {
		return nil, err
	}
	out := make(chan Batch, 1)
	out <- b
	if done(b) {
		close(out)
		return out, nil
	}
	go func() {
		defer close(out)
		last := b.Progress
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			var woken <-chan struct{}
			if wake != nil {
				woken = wake()
			}
			select {
			case <-ctx.Done():
				return
			case <-woken:
			case <-t.C:
			}
			b, err := s.GetBatch(ctx, batchID, scope)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				continue // store away: keep trying at the interval
			}
			if b.Progress == last && !done(b) {
				continue
			}
			last = b.Progress
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if done(b) {
				return
			}
		}
	}()
	return out, nil
}
