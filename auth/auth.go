// Package auth says who a caller is and what it may see: API keys, their
// roles and their scopes (SPEC section 7).
//
// # Keys
//
// A key is 32 bytes from crypto/rand, printed once as "rfk_" followed by its
// unpadded base64url text. Only sha256(key) is kept. A slow password hash
// (bcrypt, scrypt, argon2) exists to make guessing a low-entropy human
// password expensive; a 256-bit random key cannot be guessed however fast the
// hash is, so a slow hash would only add tens of milliseconds of CPU to every
// request and force a lookup by a separate key id. With sha256 the stored
// hash is the lookup key itself (one indexed equality query), and a leaked
// table still reveals nothing usable.
//
// Every key also has a short public id ("k_" + 12 hex digits) that is not
// secret: it is what `regfus keys list` shows, what `keys revoke` takes and
// what a correction records as its author.
//
// # Scopes
//
//   - station: one ASL of one region (--asl, --region default 120);
//   - pharmacy: one pharmacy, REGION-ASL-PHARMACY (--pharmacy 120-205-99999);
//   - validator: one region (--region, default 120);
//   - admin: everything.
//
// A scope is a prefix of the identity region > ASL > pharmacy: it covers a
// thing when every part the scope fixes is equal to the thing's. The store
// turns the same rule into SQL (see Scope.Filter), so filtering happens in
// the queries, never after them.
//
// # Writes
//
// Reads are scoped in the store's queries (Scope.Filter). Writes follow
// one rule, AuthorizeWrite, called by every path that puts data about a
// pharmacy into the system, so the rule lives here and nowhere else:
//
//   - an import's rows: the importer's scope must cover each row's
//     pharmacy (package api, before anything is stored);
//   - an uploaded page: the uploader's scope must cover the pharmacy read
//     on it; a page read as another scope's sheet stays in the uploader's
//     batch, rejected as out_of_scope, and nothing of it reaches that
//     pharmacy (package process, when the page's result is recorded);
//   - a correction that sets a sheet code: both the corrector's scope and
//     the scope of the page's uploader must cover the code's pharmacy, so
//     a correction can put a page only where its uploader could have put
//     it (package process, before the correction is saved).
//
// Access to stored pages comes from the caller's own uploads (a batch
// whose owner the caller's scope covers) or from the sheet read on the
// page, never from someone else's upload of the same bytes: pages are
// shared only among uploads of the same scope (package store).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/regfus/regfus/sheet"
)

// Role is what a key is for.
type Role string

// The roles of SPEC section 7.
const (
	Station   Role = "station"
	Pharmacy  Role = "pharmacy"
	Validator Role = "validator"
	Admin     Role = "admin"
)

// Roles lists every role, in the order help texts show them.
var Roles = []Role{Station, Pharmacy, Validator, Admin}

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	if s == "" {
		return "", errors.New("role is required: one of station, pharmacy, validator, admin")
	}
	return "", fmt.Errorf("unknown role %q: want one of station, pharmacy, validator, admin", s)
}

// Scope is a role together with the part of the region it sees: a prefix
// of the pharmacy identity region > ASL > pharmacy, held as the one
// pharmacy-month key (sheet.Key) with the parts the scope does not fix
// left empty. An admin's scope fixes none; no scope fixes a month
// (Competence is always empty).
type Scope struct {
	Role Role
	sheet.Key
}

// MarshalJSON writes the scope as `regfus keys create --json` and `keys
// list --json` print it: the role and the parts the scope fixes,
// {"role":"station","region":"120","asl":"205"}. Decoding that form
// needs no method: the embedded key's field names match.
func (s Scope) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Role     Role   `json:"role"`
		Region   string `json:"region,omitempty"`
		ASL      string `json:"asl,omitempty"`
		Pharmacy string `json:"pharmacy,omitempty"`
	}{s.Role, s.Region, s.ASL, s.Pharmacy})
}

// ScopeFlags are the scope options of `regfus keys create`, as typed.
type ScopeFlags struct {
	ASL      string // --asl A
	Pharmacy string // --pharmacy REGION-ASL-PHARMACY
	Region   string // --region R
}

// NewScope builds and validates the scope of a new key from the command-line
// flags. Every error names the flag at fault and says what was expected.
func NewScope(role Role, f ScopeFlags) (Scope, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return Scope{}, err
	}
	region := f.Region
	if region != "" {
		if err := sheet.ValidateDigits("--region", region, 3); err != nil {
			return Scope{}, err
		}
	}
	switch role {
	case Station:
		if f.Pharmacy != "" {
			return Scope{}, errors.New("--pharmacy is not used with role station: a station sees one ASL (--asl)")
		}
		if f.ASL == "" {
			return Scope{}, errors.New("role station needs --asl A (3 digits): the ASL whose scans it uploads")
		}
		if err := sheet.ValidateDigits("--asl", f.ASL, 3); err != nil {
			return Scope{}, err
		}
		if region == "" {
			region = sheet.DefaultRegion
		}
		return Scope{Role: role, Key: sheet.Key{Region: region, ASL: f.ASL}}, nil
	case Pharmacy:
		if f.ASL != "" || f.Region != "" {
			return Scope{}, errors.New("--asl and --region are not used with role pharmacy: they are part of --pharmacy REGION-ASL-PHARMACY")
		}
		if f.Pharmacy == "" {
			return Scope{}, errors.New("role pharmacy needs --pharmacy REGION-ASL-PHARMACY, e.g. 120-205-99999")
		}
		k, err := ParsePharmacy(f.Pharmacy)
		if err != nil {
			return Scope{}, fmt.Errorf("--pharmacy: %w", err)
		}
		return Scope{Role: role, Key: k}, nil
	case Validator:
		if f.ASL != "" || f.Pharmacy != "" {
			return Scope{}, errors.New("--asl and --pharmacy are not used with role validator: a validator sees a whole region (--region)")
		}
		if region == "" {
			region = sheet.DefaultRegion
		}
		return Scope{Role: role, Key: sheet.Key{Region: region}}, nil
	default: // Admin
		if f.ASL != "" || f.Pharmacy != "" || f.Region != "" {
			return Scope{}, errors.New("--asl, --pharmacy and --region are not used with role admin: an admin sees everything")
		}
		return Scope{Role: Admin}, nil
	}
}

// ParsePharmacy reads REGION-ASL-PHARMACY (3, 3 and 5 digits) as the key
// of that pharmacy in every month.
func ParsePharmacy(s string) (sheet.Key, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return sheet.Key{}, fmt.Errorf("%q is not REGION-ASL-PHARMACY (e.g. 120-205-99999)", s)
	}
	k := sheet.Key{Region: parts[0], ASL: parts[1], Pharmacy: parts[2]}
	if err := validateParts(k, true); err != nil {
		return sheet.Key{}, fmt.Errorf("%q: %w", s, err)
	}
	return k, nil
}

// validateParts checks each part of k that is set (every part when all):
// region and ASL 3 digits, pharmacy 5.
func validateParts(k sheet.Key, all bool) error {
	for _, c := range []struct {
		what, v string
		n       int
	}{{"region", k.Region, 3}, {"ASL", k.ASL, 3}, {"pharmacy", k.Pharmacy, 5}} {
		if all || c.v != "" {
			if err := sheet.ValidateDigits(c.what, c.v, c.n); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks that s is a scope NewScope could have built. The store
// calls it before saving a key, so no malformed scope reaches the database.
func (s Scope) Validate() error {
	want := map[Role][3]bool{ // region, asl, pharmacy fixed?
		Station:   {true, true, false},
		Pharmacy:  {true, true, true},
		Validator: {true, false, false},
		Admin:     {false, false, false},
	}
	w, ok := want[s.Role]
	if !ok {
		_, err := ParseRole(string(s.Role))
		return err
	}
	got := [3]bool{s.Region != "", s.ASL != "", s.Pharmacy != ""}
	if got != w {
		return fmt.Errorf("scope %+v: role %s fixes region=%v asl=%v pharmacy=%v", s, s.Role, w[0], w[1], w[2])
	}
	if s.Competence != "" {
		return fmt.Errorf("scope %+v: a scope fixes no month", s)
	}
	if err := validateParts(s.Key, false); err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	return nil
}

// Covers reports whether the scope sees a thing of the pharmacy of k (a
// scope fixes no month): every part the scope fixes must be equal. An
// admin covers everything; any other scope covers nothing whose identity
// is unknown.
func (s Scope) Covers(k sheet.Key) bool {
	return (s.Region == "" || s.Region == k.Region) &&
		(s.ASL == "" || s.ASL == k.ASL) &&
		(s.Pharmacy == "" || s.Pharmacy == k.Pharmacy)
}

// Filter returns the scope as the three nullable query parameters the
// store's SQL uses: nil where the scope does not restrict.
func (s Scope) Filter() (region, asl, pharmacy any) {
	return nullable(s.Region), nullable(s.ASL), nullable(s.Pharmacy)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// String describes the scope for people: "station ASL 120-205",
// "pharmacy 120-205-99999", "validator region 120", "admin".
func (s Scope) String() string {
	switch s.Role {
	case Station:
		return fmt.Sprintf("station ASL %s-%s", s.Region, s.ASL)
	case Pharmacy:
		return fmt.Sprintf("pharmacy %s-%s-%s", s.Region, s.ASL, s.Pharmacy)
	case Validator:
		return fmt.Sprintf("validator region %s", s.Region)
	case Admin:
		return string(s.Role)
	}
	// A scope without a role: a batch's owner, which keeps only the parts.
	switch {
	case s.Pharmacy != "":
		return fmt.Sprintf("pharmacy %s-%s-%s", s.Region, s.ASL, s.Pharmacy)
	case s.ASL != "":
		return fmt.Sprintf("ASL %s-%s", s.Region, s.ASL)
	case s.Region != "":
		return fmt.Sprintf("region %s", s.Region)
	}
	return "everything"
}

// SecretPrefix starts every key, so a key pasted in the wrong place is
// recognisable (and findable by secret scanners).
const SecretPrefix = "rfk_"

// secretBytes is the key's entropy: 256 bits.
const secretBytes = 32

// NewKey is a freshly generated key: Secret is shown once and then forgotten.
type NewKey struct {
	ID     string
	Secret string
	Hash   []byte
}

// Generate makes a key from rnd (crypto/rand.Reader when nil).
func Generate(rnd io.Reader) (NewKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	buf := make([]byte, secretBytes+6)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return NewKey{}, fmt.Errorf("generating API key: %w", err)
	}
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(buf[:secretBytes])
	return NewKey{
		ID:     "k_" + hex.EncodeToString(buf[secretBytes:]),
		Secret: secret,
		Hash:   Hash(secret),
	}, nil
}

// Hash is what the store keeps of a key, and looks it up by.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CheckSecret rejects a bearer token that cannot be a key, before any
// database lookup, with a reason that is safe to log (it never echoes the
// token).
func CheckSecret(secret string) error {
	if !strings.HasPrefix(secret, SecretPrefix) {
		return fmt.Errorf("API key does not start with %q", SecretPrefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(secret[len(SecretPrefix):])
	if err != nil || len(b) != secretBytes {
		return fmt.Errorf("API key is not %q followed by %d base64url bytes", SecretPrefix, secretBytes)
	}
	return nil
}
