package main

import (
	"context"
	"encoding/json"

	"github.com/regfus/regfus/layout"
)

func init() {
	register("layout", "print the sheet geometry as JSON (millimetres)", func(s Streams) Command { return &LayoutCommand{Streams: s} })
}

// LayoutCommand prints the geometry of the sheet, from package layout.
type LayoutCommand struct{ Streams }

// Run implements Command.
func (c *LayoutCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("layout", "[--version N]", c.Stdout)
	version := fs.Int("version", layout.CurrentVersion, "layout version to print")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	l, err := layout.Version(*version)
	if err != nil {
		return usagef("%v", err)
	}
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}
