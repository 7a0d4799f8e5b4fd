package records

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/regfus/regfus/fustella"
)

// bigRecordsCSV returns n valid record rows.
func bigRecordsCSV(n int) []byte {
	var b strings.Builder
	b.WriteString(recordHeader)
	for i := 0; i < n; i++ {
		t, _ := fustella.NewTargatura(fmt.Sprintf("%09d", 100000000+i))
		fmt.Fprintf(&b, "R%07d,120,205,99999,2023-01-09,2023-01,1200A4000000001,034567899,%s,%d,%d,closed,2023-01-09,digital,SD-%d\n", i, t, 1+i/28, 1+i%28, i)
	}
	return []byte(b.String())
}

func BenchmarkParseRecordsCSV(b *testing.B) {
	benchParse(b, bigRecordsCSV(100000), CSV)
}

func BenchmarkParseRecordsJSON(b *testing.B) {
	recs, _ := ParseRecords(bigRecordsCSV(100000), "big.csv", CSV)
	data, _ := json.Marshal(recs)
	benchParse(b, data, JSON)
}

// benchParse parses 100,000 records in format f, reporting CPU time per
// parse next to wall time.
func benchParse(b *testing.B, data []byte, f Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		recs, err := ParseRecords(data, "big", f)
		if err != nil || len(recs) != 100000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the process's user and system CPU time in nanoseconds:
// on a shared machine, a fairer figure than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
