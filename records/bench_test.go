package records

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/internal/cputime"
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
	cpu0 := cputime.Self()
	for b.Loop() {
		recs, err := ParseRecords(data, "big", f)
		if err != nil || len(recs) != 100000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Self()-cpu0)/float64(b.N), "cpu-ns/op")
}
