package synth

import (
	"fmt"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/sheet"
)

// Product is what a fustella says about the medicine besides its codes.
type Product struct {
	AIC    fustella.AIC
	Name   string
	Holder string
}

// Medicine names are active ingredients (INN) with a strength and pack, as
// generic packs print them; holders are invented. Nothing here is a real
// product: the AICs are random, with a valid check digit.
var (
	ingredients = []string{
		"PARACETAMOLO", "IBUPROFENE", "AMOXICILLINA", "AMOX/AC CLAV", "OMEPRAZOLO",
		"PANTOPRAZOLO", "ATORVASTATINA", "RAMIPRIL", "AMLODIPINA", "METFORMINA",
		"LEVOTIROXINA", "BISOPROLOLO", "FUROSEMIDE", "LANSOPRAZOLO", "SIMVASTATINA",
		"ENOXAPARINA", "CEFIXIMA", "AZITROMICINA", "CLARITROMICINA", "DICLOFENAC",
		"KETOPROFENE", "ALLOPURINOLO", "TAMSULOSINA", "ESOMEPRAZOLO", "SERTRALINA",
		"PAROXETINA", "LORAZEPAM", "ROSUVASTATINA", "VALSARTAN", "IRBESARTAN",
		"OLMESARTAN/IDROCL", "DOXAZOSINA", "CANDESARTAN", "LEVOFLOXACINA", "PREDNISONE",
	}
	strengths = []string{
		"500 MG 20 COMPRESSE", "1 G 12 CPR RIV", "20 MG 28 CPS GASTR", "10 MG 30 CPR",
		"40 MG 14 CPR GASTR", "5 MG 28 CPR", "4.000 UI 6 SIR", "400 MG 5 CPR RIV",
		"100 MCG 50 CPR", "2,5 MG 28 CPR", "0,4 MG 20 CPS RM", "250 MG 6 CPR",
		"1000 MG 60 CPR", "80 MG 28 CPR", "75 MG 30 CPR RIV",
	}
	holders = []string{
		"Laboratori Aurelia S.p.A.", "Farmitalia Nord S.r.l.", "Chemifarm Italia S.p.A.",
		"Istituto Biofarmaco Tiburtino", "Generici Adriatica S.r.l.", "Pharma Lombarda S.p.A.",
		"Officine Farmaceutiche Riunite", "Medifarm Sud S.r.l.", "Laboratorio Galenico Emiliano",
		"Sanitas Generics S.p.A.",
	}
	pharmacyNames = []string{
		"Farmacia Centrale", "Farmacia San Marco", "Farmacia Dr. Rossi", "Farmacia del Corso",
		"Farmacia Comunale 3", "Farmacia Santa Lucia", "Farmacia Ai Portici", "Farmacia Esposito S.n.c.",
		"Antica Farmacia Borgo", "Farmacia della Stazione",
	}
)

// newProduct draws a product with a random valid AIC. Real AICs are 0 then
// a digit 1-4 (the series), so the draw follows that.
func newProduct(r *rng) Product {
	first8 := "0" + string(byte('1'+r.IntN(4))) + r.digits(6)
	aic, err := fustella.NewAIC(first8)
	if err != nil {
		panic(err) // 8 digits by construction
	}
	return Product{
		AIC:    aic,
		Name:   pick(r, ingredients) + " " + pick(r, strengths),
		Holder: pick(r, holders),
	}
}

// targaturaFor returns the targatura of label number k of a corpus: a
// bijection of k onto 9 digits (an affine map modulo 10^9 whose multiplier
// is coprime with 10^9), completed with its check digit. Labels of one
// corpus therefore never share a targatura by accident; a duplicate is only
// ever a labelled defect.
func targaturaFor(seed uint64, k int) fustella.Targatura {
	const m = 1_000_000_000
	a := splitmix64(seed^0x7a) % m
	a |= 1
	if a%5 == 0 {
		a += 2
	}
	b := splitmix64(seed^0x7b) % m
	v := (a*uint64(k)%m + b) % m
	t, err := fustella.NewTargatura(fmt.Sprintf("%09d", v))
	if err != nil {
		panic(err)
	}
	return t
}

// vatNumber draws an 11-digit Italian VAT number with a valid check digit.
func vatNumber(r *rng) string {
	d := r.digits(10)
	return d + string(sheet.VATCheckDigit(d))
}
