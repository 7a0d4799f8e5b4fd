package process

import (
	"context"
	"sync"

	"github.com/regfus/regfus/acquisition"
)

// cpu bounds the CPU-heavy work of the whole process (decoding a page,
// reading it) to a fixed number of slots, normally one per core, whatever
// asks for it: page workers, Check and Submit's readability check. It also
// owns the acquisition readers: at most one per slot, created on first use
// and reused, since a Reader (its Tesseract client) is costly to create and
// may be used by one goroutine at a time.
type cpu struct {
	slots     chan struct{}
	newReader func() (*acquisition.Reader, error)

	mu      sync.Mutex
	idle    []*acquisition.Reader
	made    int
	closed  bool
	readers int // readers ever created (tests)
}

func newCPU(n int, newReader func() (*acquisition.Reader, error)) *cpu {
	return &cpu{slots: make(chan struct{}, n), newReader: newReader}
}

// acquire waits for a slot (or ctx). The caller must call release.
func (c *cpu) acquire(ctx context.Context) error {
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *cpu) release() { <-c.slots }

// reader returns an idle reader or makes one. Call it while holding a slot:
// readers never outnumber slots, so one is always idle or may be made.
func (c *cpu) reader() (*acquisition.Reader, error) {
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		r := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return r, nil
	}
	c.made++
	c.mu.Unlock()
	r, err := c.newReader()
	if err != nil {
		c.mu.Lock()
		c.made--
		c.mu.Unlock()
		return nil, err
	}
	c.mu.Lock()
	c.readers++
	c.mu.Unlock()
	return r, nil
}

// putReader gives a reader back for reuse (or closes it after close).
func (c *cpu) putReader(r *acquisition.Reader) {
	c.mu.Lock()
	if c.closed {
		c.made--
		c.mu.Unlock()
		r.Close()
		return
	}
	c.idle = append(c.idle, r)
	c.mu.Unlock()
}

// close releases the idle readers; readers in use are closed when given
// back.
func (c *cpu) close() {
	c.mu.Lock()
	idle := c.idle
	c.idle, c.closed = nil, true
	c.made -= len(idle)
	c.mu.Unlock()
	for _, r := range idle {
		r.Close()
	}
}
