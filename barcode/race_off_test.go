//go:build !race

package barcode_test

const raceEnabled = false
