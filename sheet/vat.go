package sheet

import "fmt"

// A pharmacy is identified on its sheet by its VAT number (partita IVA,
// 11 digits) or, for a sole trader, its tax code (codice fiscale, 16
// characters). Both end in a check character, so a mistyped number is
// caught before it is printed on a register.

// ValidateVAT accepts an 11-digit VAT number whose last digit is its check
// digit, or a 16-character tax code (upper-case letters and digits) whose
// last letter is its check letter.
func ValidateVAT(v string) error {
	switch len(v) {
	case 11:
		if err := ValidateDigits("VAT number", v, 11); err != nil {
			return err
		}
		if want := VATCheckDigit(v[:10]); v[10] != want {
			return fmt.Errorf("VAT number %q: check digit %c, want %c (mistyped?)", v, v[10], want)
		}
		return nil
	case 16:
		for i := 0; i < 16; i++ {
			c := v[i]
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				return fmt.Errorf("tax code %q: character %d is %q, want A-Z or 0-9", v, i+1, c)
			}
		}
		if want := taxCodeCheck(v[:15]); v[15] != want {
			return fmt.Errorf("tax code %q: check letter %c, want %c (mistyped?)", v, v[15], want)
		}
		return nil
	}
	return fmt.Errorf("VAT number / tax code %q: %d characters, want 11 digits or 16 characters", v, len(v))
}

// VATCheckDigit returns the check digit of the first ten digits of a VAT
// number: digits in odd places (1st, 3rd, ...) count as they are, those in
// even places doubled with 9 taken off a result over 9; the check digit
// brings the sum to a multiple of ten.
func VATCheckDigit(first10 string) byte {
	sum := 0
	for i := 0; i < 10 && i < len(first10); i++ {
		v := int(first10[i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

// taxOdd is the value of a character in an odd place (1st, 3rd, ...) of a
// tax code, digits 0-9 as A-J (DM 23/12/1976).
var taxOdd = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// taxCodeCheck returns the check letter of the first 15 characters of a
// tax code (upper-case letters and digits).
func taxCodeCheck(first15 string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		c := first15[i]
		k := int(c - 'A')
		if c >= '0' && c <= '9' {
			k = int(c - '0')
		}
		if i%2 == 0 { // 1st, 3rd, ... character
			sum += taxOdd[k]
		} else {
			sum += k
		}
	}
	return byte('A' + sum%26)
}
