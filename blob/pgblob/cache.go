package pgblob

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// The local cache is bounded when a limit is set (SetCacheLimit): it holds
// nothing the database does not, so a machine keeps the originals it read
// last and lets the oldest go. Reads mark a blob used (its file's
// modification time); after enough bytes have come in since the last
// trim (a sixteenth of the limit), the least recently used files are
// removed until the cache is under 90% of the limit. The blob just read or
// stored is never removed by its own trim. A file removed while another
// goroutine or process was about to open it costs that reader one fetch
// from the database: File checks and fetches again.
type cacheLimit struct {
	mu    sync.Mutex
	max   int64 // bytes; 0: unbounded
	added int64 // bytes put into the cache since the last trim
}

// SetCacheLimit bounds the local cache to about n bytes (0, the default:
// unbounded). Call it before the store is used.
func (s *Store) SetCacheLimit(n int64) {
	s.limit.mu.Lock()
	defer s.limit.mu.Unlock()
	s.limit.max = max(0, n)
	s.limit.added = s.limit.max // trim at the first addition
}

// touch marks the blob's cached file used now (LRU order).
func (s *Store) touch(name string) {
	now := time.Now()
	os.Chtimes(name, now, now) // best effort: an old mtime only evicts it sooner
}

// added records n bytes put into the cache and trims it when due, keeping
// the file keep.
func (s *Store) added(n int64, keep string) {
	s.limit.mu.Lock()
	defer s.limit.mu.Unlock()
	if s.limit.max == 0 {
		return
	}
	s.limit.added += n
	if s.limit.added < s.limit.max/16 {
		return
	}
	s.limit.added = 0
	s.trim(keep)
}

// trim removes the least recently used blob files until the cache holds
// at most 90% of the limit. Errors are ignored: a file that cannot be
// removed is only a cache that stays larger.
func (s *Store) trim(keep string) {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var files []entry
	var total int64
	root := s.cache.Root()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != root && d.Name() == "tmp" {
				return filepath.SkipDir // Puts in progress
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		files = append(files, entry{p, info.Size(), info.ModTime()})
		total += info.Size()
		return nil
	})
	target := s.limit.max / 10 * 9
	if total <= target {
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	for _, f := range files {
		if total <= target {
			break
		}
		if f.path == keep {
			continue
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
}
