package geom

import "math"

// Point is a position in the plane: millimetres on a page or label, or
// continuous pixel coordinates in an image (the centre of pixel (i, j) at
// (i+0.5, j+0.5)), depending on the map it is used with.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Sub returns p - q.
func (p Point) Sub(q Point) Point { return Point{p.X - q.X, p.Y - q.Y} }

// Add returns p + q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// Scale returns p * k.
func (p Point) Scale(k float64) Point { return Point{p.X * k, p.Y * k} }

// Len returns the length of p as a vector.
func (p Point) Len() float64 { return math.Hypot(p.X, p.Y) }
