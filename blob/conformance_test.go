package blob_test

import (
	"testing"

	"github.com/regfus/regfus/blob"
	"github.com/regfus/regfus/blob/blobtest"
)

// TestDirConformance: the directory store of the embedded mode passes the
// suite every blob store passes.
func TestDirConformance(t *testing.T) {
	t.Parallel()
	blobtest.Run(t, func(t *testing.T) blob.Store {
		d, err := blob.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
