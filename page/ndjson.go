package page

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxResultLine bounds one NDJSON line; a page result is a few kilobytes.
const maxResultLine = 16 << 20

// ReadResults reads results as `regfus scan` prints them (NDJSON): one
// Result per line, blank lines passed over. A line that does not decode, or
// whose status is not ok, review or rejected, is malformed: every malformed
// line is reported, by name and line number, and then no result is
// returned. name names r in the messages.
func ReadResults(r io.Reader, name string) ([]Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxResultLine)
	var out []Result
	var problems []string
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var res Result
		if err := json.Unmarshal(b, &res); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: not a page result: %v", name, line, err))
			continue
		}
		switch res.Status {
		case OK, Review, Rejected:
		default:
			problems = append(problems, fmt.Sprintf("%s:%d: status %q: want ok, review or rejected", name, line, res.Status))
			continue
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxResultLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d malformed line(s) in %s:\n  %s", len(problems), name, strings.Join(problems, "\n  "))
	}
	return out, nil
}
