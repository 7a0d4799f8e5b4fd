// Package vision is regfus's one door to OpenCV (gocv.io/x/gocv v0.31.0).
// Nothing else in the module imports gocv: callers pass and get plain Go
// values (*image.Gray, points, rectangles, numbers) and every cv::Mat made
// here is closed before the function that made it returns.
//
// The one exception is Image, which keeps a page's Mat (a header over its
// Go pixels) so that the many crops read from one page (markers, barcodes,
// 28 slots) do not wrap it each time; it has an explicit Close, and the matprofile test
// (go test -tags matprofile ./vision/ ./acquisition/) proves that reading a
// page leaves gocv.MatProfile.Count() where it started.
//
// OpenCV reports failures by throwing inside C++, which gocv does not turn
// into Go errors; this package checks sizes and types before each call so
// that bad input becomes an error at the border instead of an abort.
//
// Coordinates: points are continuous pixel coordinates, the top-left
// corner of the top-left pixel being (0, 0) and the centre of pixel (i, j)
// being (i+0.5, j+0.5). Homographies map between such coordinates.
package vision
