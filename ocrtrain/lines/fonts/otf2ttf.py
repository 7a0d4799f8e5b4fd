#!/usr/bin/python3
"""otf2ttf.py IN.otf OUT.ttf: convert a CFF-outline OpenType font to
TrueType (quadratic) outlines with fontTools (Debian python3-fonttools).

Go's golang.org/x/image/font/sfnt cannot draw some CFF glyphs (OCR-B's 8
uses the flex1 operator, "unrecognized CFF 2-byte operator (12 37)"), so
the OCR-B faces of fonts-ocr-b are converted once with this script and
embedded (see ../faces.go). Curves are approximated within
1/1000 em; the glyphs' advances and metrics are kept."""
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable


def main(src, dst):
    font = TTFont(src, recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    upem = font["head"].unitsPerEm
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=upem / 1000, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = order
    font.sfntVersion = "\000\001\000\000"
    font.recalcBBoxes = True
    font.save(dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: otf2ttf.py IN.otf OUT.ttf")
    main(sys.argv[1], sys.argv[2])
