package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/intake"
)

// A multipart upload is read part by part (not with
// http.Request.ParseMultipartForm): the file count is checked as parts
// arrive, so the 1,001st file of an upload is a 413 at once instead of the
// standard library's "multipart: message too large" after reading it
// (which also caps parts at 1,000 whatever Limits.MaxFiles says), and a
// body that fails while being read is told apart from a malformed one.

// formFile is one file part, spooled: in memory while the request's
// memory budget (Limits.MultipartMemory) lasts, then in a temporary file.
type formFile struct {
	name, mediaType string
	size            int64
	data            []byte // in memory, or
	path            string // spooled to this temporary file
}

func (f *formFile) open() (io.ReadCloser, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

func (f *formFile) upload() intake.File {
	return intake.File{Name: cleanName(f.name), MediaType: f.mediaType, Size: f.size, Open: f.open}
}

// maxOtherParts bounds the parts of an upload that are not files of the
// expected field (form values, misnamed fields).
const maxOtherParts = 100

// multipartFiles reads a multipart body and returns the files of field
// name, at most Limits.MaxFiles of them. The caller must call cleanup
// (temporary files of big parts) when done with them.
func (s *Server) multipartFiles(c echo.Context, field string) (uploads []intake.File, cleanup func(), err error) {
	var files []*formFile
	cleanup = func() {
		for _, f := range files {
			if f.path != "" {
				os.Remove(f.path)
			}
		}
	}
	defer func() {
		if err != nil {
			cleanup()
			cleanup = func() {}
		}
	}()
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, cleanup, wrap(http.StatusBadRequest, err, "malformed multipart body: %v", err)
	}
	budget := s.cfg.Limits.MultipartMemory
	others := map[string]bool{}
	otherParts := 0
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, cleanup, bodyError(err, "malformed multipart body")
		}
		if p.FormName() != field || p.FileName() == "" {
			if p.FileName() != "" {
				others[p.FormName()] = true
			}
			if otherParts++; otherParts > maxOtherParts {
				return nil, cleanup, errorf(http.StatusRequestEntityTooLarge, "more than %d parts besides the files of field %q", maxOtherParts, field)
			}
			if _, err := io.Copy(io.Discard, p); err != nil {
				return nil, cleanup, bodyError(err, "malformed multipart body")
			}
			continue
		}
		if len(files) == s.cfg.Limits.MaxFiles {
			return nil, cleanup, errorf(http.StatusRequestEntityTooLarge, "more than %d files in one upload: send them in several", s.cfg.Limits.MaxFiles)
		}
		f := &formFile{name: p.FileName(), mediaType: p.Header.Get(echo.HeaderContentType)}
		files = append(files, f)
		if err := spool(f, p, &budget); err != nil {
			return nil, cleanup, err
		}
	}
	if len(files) == 0 {
		if len(others) > 0 {
			var names []string
			for k := range others {
				names = append(names, k)
			}
			return nil, cleanup, errorf(http.StatusBadRequest, "no file in field %q (files were sent as %s)", field, strings.Join(names, ", "))
		}
		return nil, cleanup, errorf(http.StatusBadRequest, "no file in field %q: send the scans as multipart/form-data parts named %s", field, field)
	}
	for _, f := range files {
		if f.size == 0 {
			return nil, cleanup, errorf(http.StatusUnprocessableEntity, "%s: zero-byte file", cleanName(f.name))
		}
		uploads = append(uploads, f.upload())
	}
	return uploads, cleanup, nil
}

// spool reads one part into f: into memory while budget lasts, the rest
// of the part (and every later part) into a temporary file.
func spool(f *formFile, p *multipart.Part, budget *int64) error {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(p, *budget+1))
	if err != nil {
		return bodyError(err, "malformed multipart body")
	}
	if n <= *budget {
		*budget -= n
		f.data, f.size = buf.Bytes(), n
		return nil
	}
	*budget = 0
	tmp, err := os.CreateTemp("", "regfus-upload-*")
	if err != nil {
		return fmt.Errorf("spooling an upload: %w", err)
	}
	f.path = tmp.Name()
	m, err := io.Copy(tmp, io.MultiReader(&buf, p))
	if cerr := tmp.Close(); err == nil && cerr != nil {
		return fmt.Errorf("spooling an upload: %w", cerr)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("spooling an upload: %w", err) // the disk, not the body
		}
		return bodyError(err, "malformed multipart body")
	}
	f.size = m
	return nil
}

// bodyError classifies a failure while reading a request body: over the
// size limit (413) or the time limit (408) keep their error for the error
// handler; a client that went away is recorded as such (the handler sees
// the cancelled context); anything else is the body's fault (400).
func bodyError(err error, what string) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, os.ErrDeadlineExceeded):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		// The body is read from a connection: it ends before its length
		// only when the client closed it.
		return fmt.Errorf("%w: %w", errClientGone, err)
	}
	return wrap(http.StatusBadRequest, err, "%s: %v", what, err)
}
