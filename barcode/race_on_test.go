//go:build race

package barcode

// raceEnabled: the race detector slows the profile measurement (page
// synthesis and the model fit) five to ten times, so under it the
// measurement reads only a few crops per profile.
const raceEnabled = true
