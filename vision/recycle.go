package vision

import (
	"image"
	"math/bits"
	"sync"
)

// Warp's outputs are a page's largest allocations (about 8 MB a page of
// regfus bench: the slot crops, the label-outline and line-window crops),
// and most live only as long as the function that asked for them. Go zeroes
// each new one, and the pages the heap gives back between pages fault in
// again when OpenCV writes them. A caller done with a crop hands it back
// (Recycle), and Warp writes the next crop of its size class into it:
// warpAffine and warpPerspective write every pixel of their output (a
// constant border), so nothing of the last crop shows through.
//
// Buffers are pooled by size class, a power of two of bytes: a crop of n
// pixels takes a buffer of the class of n, at most twice its size. The
// pools are sync.Pools, emptied by the garbage collector: what is not in
// use is not kept.
var grayBufs [bits.UintSize]sync.Pool // class k: buffers of cap 1<<k

// minPooled is the smallest crop whose buffer is pooled (smaller ones
// cost little to allocate and zero).
const minPooled = 1 << 12

// newGray returns a w x h grey image for Warp to write every pixel of: a
// recycled buffer of its class when there is one, else a new one of the
// class's size. Its pixels are whatever was there.
func newGray(w, h int) *image.Gray {
	n := w * h
	if n < minPooled {
		return image.NewGray(image.Rect(0, 0, w, h))
	}
	k := bits.Len(uint(n - 1))
	var pix []byte
	if p, ok := grayBufs[k].Get().(*[]byte); ok {
		pix = (*p)[:n]
	} else {
		pix = make([]byte, n, 1<<k)
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
}

// Recycle hands back a crop that Warp returned and that nothing uses any
// more (nor will: the next crop of its size class may be written into
// it). Any other image is left alone, and so is nil.
func Recycle(g *image.Gray) {
	if g == nil || cap(g.Pix) < minPooled || bits.OnesCount(uint(cap(g.Pix))) != 1 {
		return
	}
	k := bits.Len(uint(cap(g.Pix) - 1))
	pix := g.Pix[:0:cap(g.Pix)]
	g.Pix = nil
	grayBufs[k].Put(&pix)
}
