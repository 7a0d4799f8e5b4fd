package scanfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Expand turns the paths given on a command line into the list of files
// to read, in a stable order:
//
//   - a file is taken as is, whatever its name (hidden or not);
//   - a folder is walked recursively, entries in byte order of their names
//     (so scan_0002 comes before scan_0010: name scans with zero-padded
//     numbers), skipping hidden entries (".DS_Store", ".git/") and anything
//     that is not a regular file or folder (a FIFO would block a reader);
//   - symbolic links are followed, but a folder is walked once however many
//     links lead to it, so a link back to an ancestor cannot loop;
//   - a file reached twice (named twice, or through a link) is listed once.
//
// In a folder walk, sidecar files that are never scans are skipped by their
// extension (SidecarExtensions: ground-truth and result JSON, CSV, notes), so
// a scan folder with its truth files or a README reads cleanly; a file named
// explicitly is always taken. Otherwise it does not look inside files: a
// folder with a spreadsheet in it yields the spreadsheet too, and Open says
// it is not a scan. Paths that cannot be
// read are returned as *Error values joined in err, after every readable
// path has been listed.
func Expand(paths []string) ([]string, error) {
	x := expander{seenDirs: map[string]bool{}, seenFiles: map[string]bool{}}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			x.fail(p, err)
			continue
		}
		switch {
		case st.IsDir():
			x.walk(p)
		case st.Mode().IsRegular():
			x.add(p)
		default:
			x.errs = append(x.errs, newError(p, 0, KindUnsupported, "not a regular file or folder", nil))
		}
	}
	return x.files, errors.Join(x.errs...)
}

type expander struct {
	files     []string
	errs      []error
	seenDirs  map[string]bool // real paths of walked folders
	seenFiles map[string]bool // real paths of listed files
}

func (x *expander) fail(p string, err error) {
	x.errs = append(x.errs, newError(p, 0, KindIO, "", err))
}

func (x *expander) add(p string) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		real = filepath.Clean(p)
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	if x.seenFiles[real] {
		return
	}
	x.seenFiles[real] = true
	x.files = append(x.files, p)
}

func (x *expander) walk(dir string) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		x.fail(dir, err)
		return
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	if x.seenDirs[real] {
		return
	}
	x.seenDirs[real] = true
	entries, err := os.ReadDir(dir) // sorted by name
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		mode := e.Type()
		if mode&os.ModeSymlink != 0 {
			st, err := os.Stat(p)
			if err != nil {
				x.errs = append(x.errs, newError(p, 0, KindIO, "broken symbolic link", err))
				continue
			}
			mode = st.Mode().Type()
		}
		switch {
		case mode.IsDir():
			x.walk(p)
		case mode.IsRegular():
			if !IsSidecar(p) {
				x.add(p)
			}
		}
	}
	if err != nil {
		x.fail(dir, err)
	}
}

// SidecarExtensions are the extensions a folder walk skips: files kept next
// to scans that are never scans themselves.
var SidecarExtensions = []string{".json", ".ndjson", ".csv", ".txt", ".md", ".log", ".html", ".xml", ".yaml", ".yml"}

// IsSidecar reports whether a folder walk skips path.
func IsSidecar(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range SidecarExtensions {
		if ext == e {
			return true
		}
	}
	return false
}
