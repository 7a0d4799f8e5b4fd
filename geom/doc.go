// Package geom is the plane geometry the reader, the generator of
// synthetic scans and the service's overlays share: points, and the
// projective maps (homographies) between a sheet's layout in millimetres
// and the pixels of an image of it.
//
// It is pure Go with no dependency beyond the standard library, so
// packages that only place things on a page (api's overlays, synth) do not
// pull in OpenCV; package vision warps images with these maps through
// OpenCV.
package geom
