// Package overlay draws what the reader read onto the page it read, for
// people: the overlay image of a page (every slot in the colour of its
// state, markers and fields outlined, the values read written beside
// them) and the upright crop a review item is about. The service serves
// both (GET /v1/pages/{id}/overlay, the review crops); the drawing is pure
// Go, beside package render, which draws the blank sheets.
//
// The overlay and the review crops place the layout (millimetres) on the
// page image with the map the reader itself fitted to the page's markers,
// which a result carries in page.Result.Geometry: boxes then land where
// the reader looked, on flatbed scans and photos alike (perspective
// included).
//
// Results stored before the geometry was recorded have only the page's
// orientation, skew and measured resolution. For them the map is a
// similarity: the layout page scaled by the measured dpi, rotated by
// orientation + skew, and centred on the image. On a flatbed scan of the
// whole sheet that lands within a millimetre or two of the printed marks;
// on a photo with a wide margin or perspective it can be off by more.
// The colours and codes are what was read, whatever the placement.
package overlay
