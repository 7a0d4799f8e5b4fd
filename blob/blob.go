// Package blob keeps uploaded originals, content-addressed by sha256.
//
// Store is the interface the service and the workers use. Two
// implementations honour it, checked by one conformance suite (package
// blob/blobtest):
//
//   - Dir, a directory (normally DATA/blobs): the embedded mode, where the
//     server reads its own uploads;
//   - blob/pgblob, PostgreSQL (the store's database), used whenever a
//     database URL is configured, so `regfus worker` on any machine needs
//     only the database URL to read the originals.
//
// The rest of this comment describes Dir.
//
// Layout: DIR/ab/cd/abcdef...(64 hex digits), where ab and cd are the first
// two byte pairs of the hex digest, so no directory grows past 65,536
// entries. The name is the content's digest, so the same bytes uploaded
// twice land on the same path and Put reports them as already known.
//
// Durability: Put streams into a temporary file in DIR/tmp (same file
// system), hashing as it copies, fsyncs it, renames it to its final name and
// fsyncs the directory that now holds it. Only after all of that does Put
// return, so an upload acknowledged after Put is on disk even if the machine
// loses power; a crash before the rename leaves only a temporary file, which
// an Open removes once it is StaleAfter old. Files are written read-only (0444) and never
// modified.
//
// Dir is for one machine: with PostgreSQL, originals go to the database
// (blob/pgblob) and a Dir serves only as that store's local read cache.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/regfus/regfus/internal/atomicfile"
)

// Store keeps originals by the sha256 of their bytes. Implementations are
// safe for concurrent use, also by several processes.
type Store interface {
	// Put stores everything r yields and returns the blob's reference and
	// whether the same bytes were already stored (then nothing new is
	// written). When Put returns without error the blob is durable: an
	// upload may be acknowledged.
	Put(ctx context.Context, r io.Reader) (ref Ref, existed bool, err error)
	// Has reports whether a blob with this digest is stored.
	Has(ctx context.Context, sha string) (bool, error)
	// Open opens the blob for reading; ErrNotFound if it is not stored.
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, error)
	// File returns the name of a local file holding the blob's bytes
	// (decoders such as pdftoppm need one); ErrNotFound if it is not
	// stored. The file must not be modified.
	File(ctx context.Context, sha string) (string, error)
	// Remove deletes the blob unless someone put it after notPutSince:
	// every Put, also one that finds the bytes already stored, sets the
	// blob's put time (Ref.PutAt), and Remove leaves a blob whose put time
	// is later, so a Put that raced with it keeps its blob. A failed upload
	// passes its own Ref.PutAt (removed only if nobody stored the bytes
	// since), the collector of unreferenced blobs a time well in the past.
	// It reports whether the blob was removed; a blob not stored is not
	// an error.
	Remove(ctx context.Context, sha string, notPutSince time.Time) (bool, error)
	// Walk calls fn with every stored blob's digest and put time, in no
	// particular order, until fn returns an error (which Walk returns).
	Walk(ctx context.Context, fn func(sha string, putAt time.Time) error) error
}

var _ Store = (*Dir)(nil)

// Dir is a content-addressed directory of originals. It is safe for
// concurrent use, also by several processes on the same directory.
type Dir struct {
	root string
}

// Ref names a stored blob.
type Ref struct {
	SHA256 string // 64 lower-case hex digits
	Size   int64
	// Path is relative to the Dir's root, with forward slashes: what the
	// store records, so the data directory can move.
	Path string
	// PutAt is the blob's put time as this Put left it (see Store.Remove).
	PutAt time.Time
}

// ErrNotFound is returned by Open for a digest that is not stored.
var ErrNotFound = errors.New("blob not found")

// Open opens (creating if needed) the blob directory at root and removes
// temporary files a crash may have left behind.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob directory %s: %w", root, err)
	}
	d := &Dir{root: root}
	if err := d.removeStaleTemps(); err != nil {
		return nil, err
	}
	return d, nil
}

// Root returns the directory's root.
func (d *Dir) Root() string { return d.root }

// StaleAfter is how long a temporary file must have been left untouched
// before Open removes it as the leftover of an interrupted Put.
const StaleAfter = time.Hour

// removeStaleTemps deletes leftovers of interrupted Puts: temporary files
// not written for StaleAfter. A Put in progress keeps writing to its file,
// so another process opening the directory (a worker starting while the
// server takes an upload) never removes it.
func (d *Dir) removeStaleTemps() error {
	tmp := filepath.Join(d.root, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("blob directory %s: %w", d.root, err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < StaleAfter {
			continue
		}
		if err := os.Remove(filepath.Join(tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing stale temporary blob %s: %w", e.Name(), err)
		}
	}
	return nil
}

// Put stores everything r yields. It returns the blob's reference and
// whether the same bytes were already stored (in which case nothing new was
// written). When Put returns without error the blob is durably on disk.
func (d *Dir) Put(ctx context.Context, r io.Reader) (ref Ref, existed bool, err error) {
	if err := ctx.Err(); err != nil {
		return Ref{}, false, err
	}
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "put-*")
	if err != nil {
		return Ref{}, false, fmt.Errorf("storing original: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if err != nil || existed {
			os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(tmp, io.TeeReader(r, h))
	if err != nil {
		return Ref{}, false, fmt.Errorf("storing original: reading upload after %d bytes: %w", n, err)
	}
	ref = Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	ref.Path = relPath(ref.SHA256)
	final := filepath.Join(d.root, filepath.FromSlash(ref.Path))
	if _, err := os.Stat(final); err == nil {
		// Already stored: refresh its put time, so a Remove racing with
		// this upload leaves it. If it went meanwhile, store it again.
		now := time.Now()
		if err := os.Chtimes(final, now, now); err == nil {
			ref.PutAt = now
			return ref, true, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
		}
	}
	if err := tmp.Chmod(0o444); err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	if err := tmp.Sync(); err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: fsync: %w", ref.SHA256, err)
	}
	if err := tmp.Close(); err != nil {
		tmp = nil
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	tmp = nil
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	// Rename is atomic; if another writer got there first, both wrote the
	// same bytes and either file is right.
	if err := os.Rename(tmpName, final); err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	info, err := os.Stat(final)
	if err != nil {
		return Ref{}, false, fmt.Errorf("storing original %s: %w", ref.SHA256, err)
	}
	ref.PutAt = info.ModTime()
	return ref, false, nil
}

// Remove implements Store: the put time is the file's modification time.
func (d *Dir) Remove(_ context.Context, sha string, notPutSince time.Time) (bool, error) {
	p, err := d.Path(sha)
	if err != nil {
		return false, err
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if info.ModTime().After(notPutSince) {
		return false, nil
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("removing original %s: %w", sha, err)
	}
	return true, nil
}

// Walk implements Store.
func (d *Dir) Walk(ctx context.Context, fn func(sha string, putAt time.Time) error) error {
	return filepath.WalkDir(d.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if e.IsDir() {
			if path != d.root && e.Name() == "tmp" && filepath.Dir(path) == d.root {
				return filepath.SkipDir
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if ValidSHA256(name) != nil {
			return nil
		}
		if want, _ := d.Path(name); want != path {
			return nil // not where a blob of that name lives
		}
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return fn(name, info.ModTime())
	})
}

// Has reports whether a blob with this digest is stored.
func (d *Dir) Has(_ context.Context, sha string) (bool, error) {
	p, err := d.Path(sha)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// Open opens the blob with this digest for reading.
func (d *Dir) Open(_ context.Context, sha string) (io.ReadSeekCloser, error) {
	p, err := d.Path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// File returns the blob's file name after checking it is stored.
func (d *Dir) File(_ context.Context, sha string) (string, error) {
	p, err := d.Path(sha)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s", ErrNotFound, sha)
	} else if err != nil {
		return "", err
	}
	return p, nil
}

// Path returns the absolute file name of the blob with this digest, after
// checking that the digest is 64 lower-case hex digits (so no caller can
// build a path outside the directory).
func (d *Dir) Path(sha string) (string, error) {
	if err := ValidSHA256(sha); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(relPath(sha))), nil
}

// ValidSHA256 checks that s is a sha256 digest in lower-case hex.
func ValidSHA256(s string) error {
	if len(s) != 64 {
		return fmt.Errorf("blob digest %q: %d characters, want 64 hex digits", s, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("blob digest %q: character %d is %q, want a lower-case hex digit", s, i+1, c)
		}
	}
	return nil
}

func relPath(sha string) string { return sha[0:2] + "/" + sha[2:4] + "/" + sha }
