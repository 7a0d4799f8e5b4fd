// Package atomicfile writes a file whole or not at all: through a
// temporary file in the same folder, renamed over the final name only once
// it is written and closed. A failed or interrupted write never leaves half
// a file under the final name (a reader sees the old file or the new one),
// and a failed one leaves no temporary behind.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes the file at path with write, through a temporary file in
// path's folder, and gives it mode perm. The temporary is hidden and ends
// in .tmp ("." + base + ".*.tmp"), so folder watchers pass it over.
func Write(path string, perm os.FileMode, write func(f *os.File) error) error {
	return put(path, perm, false, write)
}

// WriteSynced is Write that also flushes the file to disk before the
// rename and the folder after it: once it returns nil, the file survives
// a crash of the machine.
func WriteSynced(path string, perm os.FileMode, write func(f *os.File) error) error {
	return put(path, perm, true, write)
}

func put(path string, perm os.FileMode, sync bool, write func(f *os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	err = write(f)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err == nil && sync {
		err = SyncDir(dir)
	}
	return err
}

// SyncDir flushes the folder dir to disk: the names created, renamed or
// removed in it survive a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
