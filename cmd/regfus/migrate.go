package main

import (
	"context"
	"fmt"
)

func init() {
	register("migrate", "create or update the database schema (SQLite in --data, or PostgreSQL with River's tables)", func(s Streams) Command { return &MigrateCommand{Streams: s} })
}

// MigrateCommand applies the embedded migrations. `regfus serve` runs them
// at start too; this command exists so a deployment can migrate once,
// before starting many workers.
type MigrateCommand struct{ Streams }

// Run implements Command.
func (c *MigrateCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("migrate", "[--data DIR] [--database-url URL]", c.Stdout)
	sf := addStoreFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	s, err := sf.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", sf.describe(), err)
	}
	for _, m := range applied {
		fmt.Fprintf(c.Stdout, "applied %s\n", m)
	}
	fmt.Fprintf(c.Stdout, "%s: schema up to date (%d migrations applied now)\n", sf.describe(), len(applied))
	return nil
}
