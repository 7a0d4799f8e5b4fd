package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/regfus/regfus/sheet"
)

func TestNewScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		role    Role
		flags   ScopeFlags
		want    Scope
		wantErr string // substring; "" means success
	}{
		{"station default region", Station, ScopeFlags{ASL: "205"}, Scope{Role: Station, Key: sheet.Key{Region: "120", ASL: "205"}}, ""},
		{"station explicit region", Station, ScopeFlags{ASL: "205", Region: "030"}, Scope{Role: Station, Key: sheet.Key{Region: "030", ASL: "205"}}, ""},
		{"station without asl", Station, ScopeFlags{}, Scope{}, "role station needs --asl"},
		{"station short asl", Station, ScopeFlags{ASL: "20"}, Scope{}, `--asl "20" has 2 characters, want 3 digits`},
		{"station letters", Station, ScopeFlags{ASL: "2x5"}, Scope{}, `--asl "2x5": character 2 is 'x', want a digit`},
		{"station with pharmacy", Station, ScopeFlags{ASL: "205", Pharmacy: "120-205-99999"}, Scope{}, "--pharmacy is not used with role station"},
		{"pharmacy", Pharmacy, ScopeFlags{Pharmacy: "120-205-99999"}, Scope{Role: Pharmacy, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999"}}, ""},
		{"pharmacy missing", Pharmacy, ScopeFlags{}, Scope{}, "role pharmacy needs --pharmacy REGION-ASL-PHARMACY"},
		{"pharmacy two parts", Pharmacy, ScopeFlags{Pharmacy: "205-99999"}, Scope{}, `--pharmacy: "205-99999" is not REGION-ASL-PHARMACY`},
		{"pharmacy empty asl", Pharmacy, ScopeFlags{Pharmacy: "120--99999"}, Scope{}, `ASL "" has 0 characters, want 3 digits`},
		{"pharmacy short code", Pharmacy, ScopeFlags{Pharmacy: "120-205-9999"}, Scope{}, `pharmacy "9999" has 4 characters, want 5 digits`},
		{"pharmacy with asl", Pharmacy, ScopeFlags{Pharmacy: "120-205-99999", ASL: "205"}, Scope{}, "not used with role pharmacy"},
		{"validator default region", Validator, ScopeFlags{}, Scope{Role: Validator, Key: sheet.Key{Region: "120"}}, ""},
		{"validator region", Validator, ScopeFlags{Region: "030"}, Scope{Role: Validator, Key: sheet.Key{Region: "030"}}, ""},
		{"validator bad region", Validator, ScopeFlags{Region: "3"}, Scope{}, `--region "3" has 1 characters, want 3 digits`},
		{"validator with asl", Validator, ScopeFlags{ASL: "205"}, Scope{}, "not used with role validator"},
		{"admin", Admin, ScopeFlags{}, Scope{Role: Admin}, ""},
		{"admin with region", Admin, ScopeFlags{Region: "120"}, Scope{}, "not used with role admin"},
		{"unknown role", Role("root"), ScopeFlags{}, Scope{}, `unknown role "root"`},
		{"empty role", Role(""), ScopeFlags{}, Scope{}, "role is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NewScope(tt.role, tt.flags)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewScope error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewScope: %v", err)
			}
			if got != tt.want {
				t.Fatalf("NewScope = %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate(%+v): %v", got, err)
			}
		})
	}
}

func TestScopeValidateRejectsMalformed(t *testing.T) {
	t.Parallel()
	for _, s := range []Scope{
		{Role: Station, Key: sheet.Key{Region: "120"}},
		{Role: Pharmacy, Key: sheet.Key{Region: "120", ASL: "205"}},
		{Role: Validator},
		{Role: Admin, Key: sheet.Key{Region: "120"}},
		{Role: "boss"},
		{Role: Station, Key: sheet.Key{Region: "12", ASL: "205"}},
		{Role: Validator, Key: sheet.Key{Region: "120", Competence: "2023-01"}},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", s)
		}
	}
}

// TestScopeJSON: the wire form `regfus keys create --json` prints is the
// role and the parts the scope fixes, and reads back to the same scope.
func TestScopeJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    Scope
		want string
	}{
		{Scope{Role: Admin}, `{"role":"admin"}`},
		{Scope{Role: Station, Key: sheet.Key{Region: "120", ASL: "205"}}, `{"role":"station","region":"120","asl":"205"}`},
		{Scope{Role: Pharmacy, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999"}}, `{"role":"pharmacy","region":"120","asl":"205","pharmacy":"99999"}`},
		{Scope{Role: Validator, Key: sheet.Key{Region: "030"}}, `{"role":"validator","region":"030"}`},
	} {
		b, err := json.Marshal(tt.s)
		if err != nil || string(b) != tt.want {
			t.Errorf("json.Marshal(%v) = %s, %v; want %s", tt.s, b, err, tt.want)
		}
		var back Scope
		if err := json.Unmarshal(b, &back); err != nil || back != tt.s {
			t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", b, back, err, tt.s)
		}
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	type id struct{ r, a, p string }
	station := Scope{Role: Station, Key: sheet.Key{Region: "120", ASL: "205"}}
	pharmacy := Scope{Role: Pharmacy, Key: sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999"}}
	validator := Scope{Role: Validator, Key: sheet.Key{Region: "120"}}
	admin := Scope{Role: Admin}
	tests := []struct {
		s    Scope
		id   id
		want bool
	}{
		{station, id{"120", "205", "99999"}, true},
		{station, id{"120", "205", ""}, true},
		{station, id{"120", "206", "99999"}, false},
		{station, id{"030", "205", "99999"}, false},
		{station, id{"", "", ""}, false},
		{pharmacy, id{"120", "205", "99999"}, true},
		{pharmacy, id{"120", "205", "11111"}, false},
		{pharmacy, id{"120", "205", ""}, false},
		{validator, id{"120", "999", "11111"}, true},
		{validator, id{"030", "205", "99999"}, false},
		{admin, id{"", "", ""}, true},
		{admin, id{"030", "1", "2"}, true},
	}
	for _, tt := range tests {
		if got := tt.s.Covers(sheet.Key{Region: tt.id.r, ASL: tt.id.a, Pharmacy: tt.id.p, Competence: "2023-01"}); got != tt.want {
			t.Errorf("%v.Covers(%v) = %v, want %v", tt.s, tt.id, got, tt.want)
		}
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	k1, err := Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k1.Secret == k2.Secret || k1.ID == k2.ID {
		t.Fatalf("two keys are equal: %+v %+v", k1, k2)
	}
	if err := CheckSecret(k1.Secret); err != nil {
		t.Fatalf("CheckSecret(generated) = %v", err)
	}
	sum := sha256.Sum256([]byte(k1.Secret))
	if !bytes.Equal(k1.Hash, sum[:]) || !bytes.Equal(Hash(k1.Secret), k1.Hash) {
		t.Fatalf("Hash is not sha256 of the secret")
	}
	if bytes.Contains(k1.Hash, []byte(k1.Secret)) {
		t.Fatal("hash contains the secret")
	}
	if !strings.HasPrefix(k1.ID, "k_") || len(k1.ID) != 14 {
		t.Fatalf("ID %q, want k_ + 12 hex digits", k1.ID)
	}
	// Deterministic from a fixed reader.
	k3, err := Generate(bytes.NewReader(make([]byte, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if k3.Secret != "rfk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" || k3.ID != "k_000000000000" {
		t.Fatalf("Generate(zeros) = %+v", k3)
	}
	if _, err := Generate(bytes.NewReader(make([]byte, 3))); err == nil {
		t.Fatal("Generate from a short reader succeeded")
	}
}

func TestCheckSecret(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "Bearer x", "rfk_", "rfk_short", "rfk_" + strings.Repeat("A", 42) + "!", "xyz_" + strings.Repeat("A", 43)} {
		if err := CheckSecret(s); err == nil {
			t.Errorf("CheckSecret(%q) = nil, want an error", s)
		} else if s != "" && s != SecretPrefix && strings.Contains(err.Error(), s) {
			t.Errorf("CheckSecret(%q) echoes the token: %v", s, err)
		}
	}
}
