// Package scanfile turns the paths given to `regfus scan` (files and
// folders) into a stream of decoded page images for the reader, and is
// built to meet hostile input: anything a scanner station, a mail gateway
// or a user can drop into a folder.
//
// # Formats
//
// PNG, JPEG, TIFF (multi-page; bitonal CCITT G4 and one-dimensional G3 with
// or without EOL fill bits, LZW, PackBits, Deflate, JPEG, uncompressed; gray
// and RGB, and what else github.com/hhrutter/tiff reads, such as palette and
// CMYK; not G3 2-D coding, which no Go decoder reads) and PDF (multi-page,
// rasterised by poppler's pdftoppm: a page that is one scanned image at
// that image's own resolution, any other page at 200 dpi, or every page at
// Options.PDFDPI when it is set; a page that is one grey JPEG over the
// whole page is taken out of the file by pdfimages and decoded as a JPEG
// file is, see pdfimage.go). The
// format is found by content sniffing, never by the file name: a PNG named
// .pdf reads as a PNG, and a text file named .png is "unsupported format
// (looks like text)".
//
// Every page comes out as an *image.Gray with square pixels (a 204x98 dpi
// fax is stretched to 204x204), which is what the reader works on; the
// conversions are direct loops per decoder output type, and bitonal CCITT
// pages decode straight into gray bytes. A JPEG file's pixels are decoded
// by the Options.JPEG decoder the program gives (the reader's is
// libjpeg-turbo through package vision, asked for grey, at a quarter of
// image/jpeg's cost; image/jpeg without one); its header, size limit and
// completeness are checked in Go first (see decodeJPEG). So this package
// needs no cgo, and what imports it builds without OpenCV.
//
// # Use
//
//	files, err := scanfile.Expand(paths) // folders walked, sorted
//	for _, path := range files {
//		f, err := scanfile.Open(ctx, path, opts) // sniff, count pages
//		...
//		for page, err := range f.Pages(ctx) { ... } // or f.Page(ctx, n) from a pool
//		f.Close()
//	}
//
// or simply `for page, err := range scanfile.All(ctx, paths, opts)`; and
// `scanfile.ReadPage(ctx, path, opts, n)` for one page of a file.
//
// # Hostile input
//
// Every failure is an *Error naming the file, the page and the reason, with
// a Kind for programs. A bad page does not stop the pages after it, a bad
// file does not stop the batch (All goes on). The guards:
//
//   - pixels: each page's size is read from its header (PNG/JPEG config,
//     TIFF directory, pdfinfo page box x dpi) and refused over MaxPixels
//     before a pixel buffer exists, so a 50,000 x 50,000 PNG of a few
//     hundred bytes fails at once; JPEG frames inside TIFF strips are
//     checked too. Decoders then allocate a few bytes per allowed pixel:
//     1 for a gray page, 4-5 for RGB, up to ~8 for a progressive colour
//     JPEG (it keeps its coefficients) or a 16-bit RGBA TIFF, so size
//     MaxPixels and the worker count together.
//   - pages: a file with more than MaxPages pages is refused whole; a TIFF
//     page chain that loops or runs out of the file ends with an error
//     after the pages before the break.
//   - time: each page has PageTimeout. A Go decoder that overruns is left
//     behind (it reads through a reader that fails once the deadline has
//     passed, so it stops at its next read) and the caller gets KindTimeout
//     at once; a poppler process is killed.
//   - memory outside Go: poppler runs with its address space capped
//     (PDFMemoryLimit) and writes to a pipe, never to disk.
//   - crashes: a panic in a decoder becomes a KindCorrupt error.
//   - size: files over MaxFileBytes and zero-byte files are refused before
//     anything is parsed; FIFOs and devices are never opened.
package scanfile
