package process

import (
	"context"
	"sync"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
)

// broker wakes progress subscribers when this process finishes a page.
// It is a generation channel: notify closes the current channel (waking
// every waiter at once) and makes a new one. Subscribers re-read their
// batch from the store, so the broker carries no data and a missed wake-up
// costs at most one poll interval.
type broker struct {
	mu sync.Mutex
	ch chan struct{}
}

func newBroker() *broker { return &broker{ch: make(chan struct{})} }

func (b *broker) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

func (b *broker) notify() {
	b.mu.Lock()
	close(b.ch)
	b.ch = make(chan struct{})
	b.mu.Unlock()
}

// Finished reports whether a batch has no page left to process.
func Finished(b store.Batch) bool {
	return b.Status == store.BatchDone || b.Status == store.BatchFailed
}

// Events streams a batch's progress: the batch as it is now, then the
// batch again each time its progress changes, until every page is
// finished (the last value has status done or failed) or ctx ends; then
// the channel is closed. It wakes when this process finishes a page and
// polls the store every Config.PollInterval, so pages finished by other
// processes (River workers) are seen too. A batch out of scope is
// store.ErrNotFound, returned at once.
//
// While the database is unreachable the stream pauses and resumes when it
// answers again; it does not end on its own.
func (e *Engine) Events(ctx context.Context, batchID int64, scope auth.Scope) (<-chan store.Batch, error) {
	return store.FollowBatch(ctx, e.store, batchID, scope, e.cfg.PollInterval, e.events.wait, Finished)
}
