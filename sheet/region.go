package sheet

// regionNames maps the region codes of the national health information flows
// (as in the sheet code's first three digits) to the region's name, for the
// label printed after the title.
var regionNames = map[string]string{
	"010": "Piemonte", "020": "Valle d'Aosta", "030": "Lombardia",
	"041": "P.A. Bolzano", "042": "P.A. Trento", "050": "Veneto",
	"060": "Friuli Venezia Giulia", "070": "Liguria", "080": "Emilia-Romagna",
	"090": "Toscana", "100": "Umbria", "110": "Marche", "120": "Lazio",
	"130": "Abruzzo", "140": "Molise", "150": "Campania", "160": "Puglia",
	"170": "Basilicata", "180": "Calabria", "190": "Sicilia", "200": "Sardegna",
}

// RegionName returns the name of a region code and whether it is known.
func RegionName(code string) (string, bool) {
	n, ok := regionNames[code]
	return n, ok
}
