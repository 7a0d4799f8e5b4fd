package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/store"
)

func init() {
	register("keys", "create, list and revoke API keys (create|list|revoke)", func(s Streams) Command { return &KeysCommand{Streams: s} })
}

// KeysCommand manages API keys. A key's secret is printed once, by create,
// on stdout alone (so KEY=$(regfus keys create ...) works); only its sha256
// is stored (see package auth for why not bcrypt).
type KeysCommand struct{ Streams }

const keysUsage = "create --role station|pharmacy|validator|admin [--asl A] [--pharmacy REGION-ASL-PHARMACY] [--region R] [--label TEXT] | list | revoke ID  [--data DIR] [--database-url URL]"

// Run implements Command.
func (c *KeysCommand) Run(ctx context.Context, args []string) error {
	return runAction(ctx, c.Stdout, "keys", keysUsage, args,
		action{"create", c.create}, action{"list", c.list}, action{"revoke", c.revoke})
}

func (c *KeysCommand) create(ctx context.Context, args []string) error {
	fs := newFlagSet("keys create", "--role R [--asl A] [--pharmacy REGION-ASL-PHARMACY] [--region R] [--label TEXT] [--json]", c.Stdout)
	role := fs.String("role", "", "station, pharmacy, validator or admin")
	asl := fs.String("asl", "", "station: the ASL it uploads for (3 digits)")
	pharmacy := fs.String("pharmacy", "", "pharmacy: REGION-ASL-PHARMACY, e.g. 120-205-99999")
	region := fs.String("region", "", "station, validator: the region (3 digits, default 120)")
	label := fs.String("label", "", "free text shown by keys list (who or what holds the key)")
	asJSON := fs.Bool("json", false, "print {id, key, role, region, asl, pharmacy} as JSON")
	sf := addStoreFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usagef("keys create: --role: %v", err)
	}
	scope, err := auth.NewScope(r, auth.ScopeFlags{ASL: *asl, Pharmacy: *pharmacy, Region: *region})
	if err != nil {
		return usagef("keys create: %v", err)
	}
	nk, err := auth.Generate(nil)
	if err != nil {
		return err
	}
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.CreateKey(ctx, store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: scope, Label: *label}); err != nil {
		return fmt.Errorf("keys create: %w", err)
	}
	if *asJSON {
		out, err := jsonObject(struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}{nk.ID, nk.Secret}, scope)
		if err != nil {
			return err
		}
		return json.NewEncoder(c.Stdout).Encode(out)
	}
	fmt.Fprintln(c.Stdout, nk.Secret)
	fmt.Fprintf(c.Stderr, "regfus: created key %s for %s in the %s.\nThe key above is shown only now: only its hash is stored. Keep it secret.\n",
		nk.ID, scope, sf.describe())
	return nil
}

func (c *KeysCommand) list(ctx context.Context, args []string) error {
	fs := newFlagSet("keys list", "[--json]", c.Stdout)
	asJSON := fs.Bool("json", false, "print a JSON array")
	sf := addStoreFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	keys, err := s.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys list: %w", err)
	}
	if *asJSON {
		type id struct {
			ID string `json:"id"`
		}
		type rest struct {
			Label     string     `json:"label"`
			CreatedAt time.Time  `json:"created_at"`
			RevokedAt *time.Time `json:"revoked_at"`
		}
		out := []json.RawMessage{}
		for _, k := range keys {
			r := rest{Label: k.Label, CreatedAt: k.CreatedAt}
			if k.Revoked() {
				r.RevokedAt = &k.RevokedAt
			}
			row, err := jsonObject(id{k.ID}, k.Scope, r)
			if err != nil {
				return err
			}
			out = append(out, row)
		}
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tCREATED\tREVOKED\tLABEL")
	for _, k := range keys {
		revoked := "-"
		if k.Revoked() {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Scope, k.CreatedAt.Format(time.RFC3339), revoked, k.Label)
	}
	return tw.Flush()
}

func (c *KeysCommand) revoke(ctx context.Context, args []string) error {
	fs := newFlagSet("keys revoke", "ID", c.Stdout)
	sf := addStoreFlags(fs)
	// Accept the id before or after the flags.
	var id string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		id, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if id == "" && len(rest) > 0 {
		id, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usagef("keys revoke: unexpected argument %q", rest[0])
	}
	if id == "" {
		return usagef("keys revoke: which key? give its ID (see regfus keys list)")
	}
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	k, err := s.RevokeKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("keys revoke: no key %q in the %s (see regfus keys list)", id, sf.describe())
	}
	if err != nil {
		return fmt.Errorf("keys revoke: %w", err)
	}
	fmt.Fprintf(c.Stdout, "revoked %s (%s) at %s\n", k.ID, k.Scope, k.RevokedAt.Format(time.RFC3339))
	return nil
}

// jsonObject joins the JSON objects of parts, in order, into one object:
// how the --json outputs print a key's own fields around its scope's
// (auth.Scope's wire form) without a struct that repeats the scope's
// fields.
func jsonObject(parts ...any) (json.RawMessage, error) {
	out := []byte{'{'}
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
			return nil, fmt.Errorf("%T does not marshal to a JSON object", p)
		}
		if inner := b[1 : len(b)-1]; len(inner) > 0 {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, inner...)
		}
	}
	return append(out, '}'), nil
}
