package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
)

// keepAlive is how often an idle event stream sends a comment line, so
// proxies and clients do not take it for dead.
const keepAlive = 15 * time.Second

// batchEvents: GET /v1/batches/{id}/events, server-sent events of the
// batch as batchView shows it (see StreamBatch).
func (s *Server) batchEvents(c echo.Context) error {
	id, err := pathID(c, "batch")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	events, err := s.progress.Events(ctx, id, mustPrincipal(c).Scope)
	if err != nil {
		return notFound(err, "batch", id)
	}
	return s.StreamBatch(c, events, func(b store.Batch) any { return batchView(b) })
}

// StreamBatch sends a batch's progress, read from events (a
// Progress.Events channel), as server-sent events on c's response, with
// view(b) as each event's JSON data; the web interface's batch page
// streams through it too.
//
// Every value from events is a "progress" event (its id is the number of
// pages finished, so a client can tell where it was); once no page is
// queued or running the last one is sent again as "done" and the stream
// ends. The engine reads the truth from the store, so a client that
// reconnects gets the current state at once and nothing is lost. While a
// batch makes no progress, a comment line every 15 s keeps the connection
// open; when the request ends, at shutdown (CloseStreams) or after
// Timeouts.Stream the stream ends without "done" and the client
// reconnects.
func (s *Server) StreamBatch(c echo.Context, events <-chan store.Batch, view func(store.Batch) any) error {
	ctx := c.Request().Context()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()

	send := func(event string, b store.Batch) bool {
		data, err := json.Marshal(view(b))
		if err == nil {
			_, err = fmt.Fprintf(w, "event: %s\nid: %d\ndata: %s\n\n", event, b.Progress.Finished, data)
		}
		if err != nil {
			return false // the client went away
		}
		w.Flush()
		return true
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var last store.Batch
	for {
		select {
		case b, ok := <-events:
			if !ok {
				if last.ID != 0 && finished(last) {
					send("done", last)
				}
				return nil
			}
			last = b
			if !send("progress", b) {
				return nil
			}
			tick.Reset(keepAlive)
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			w.Flush()
		case <-ctx.Done():
			return nil // the client left, or the stream's time limit
		case <-s.closing:
			return nil // shutting down
		}
	}
}

// finished reports whether no page of the batch is waiting or being read.
func finished(b store.Batch) bool { return b.Progress.Queued+b.Progress.Running == 0 }

// pollProgress is Progress over the store alone: it re-reads the batch
// every interval. It serves when no engine is wired (a read-only API in
// front of workers elsewhere still shows progress).
type pollProgress struct {
	store    store.Store
	interval time.Duration
}

func (p pollProgress) Events(ctx context.Context, batchID int64, scope auth.Scope) (<-chan store.Batch, error) {
	return store.FollowBatch(ctx, p.store, batchID, scope, p.interval, nil, finished)
}
