package render

import "image/color"

func grayColor(g uint8) color.Gray { return color.Gray{Y: g} }
