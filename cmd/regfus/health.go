package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

func init() {
	register("health", "probe a running service's health endpoint (for container health checks)", func(s Streams) Command { return &HealthCommand{Streams: s} })
}

// HealthCommand GETs a health URL and succeeds on 200. The runtime container
// has no curl; this is its HEALTHCHECK.
type HealthCommand struct{ Streams }

// Run implements Command.
func (c *HealthCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("health", "[--url URL]", c.Stdout)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "health endpoint")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return usagef("health: --url: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", *url, resp.Status)
	}
	fmt.Fprintln(c.Stdout, "ok")
	return nil
}
