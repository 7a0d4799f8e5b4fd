package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/regfus/regfus/watch"
)

func init() {
	register("watch", "hot folder: upload each new scan in DIR to the service, then move it to DIR/done or DIR/failed", func(s Streams) Command { return &WatchCommand{Streams: s} })
}

// WatchCommand runs a scanning station's hot folder (package watch): every
// file dropped into DIR is uploaded once it has stopped growing, then
// moved to DIR/done/, or to DIR/failed/ with NAME.reason.txt. It survives
// restarts without uploading a file twice and retries with backoff while
// the server is overloaded or unreachable. It runs until interrupted.
type WatchCommand struct{ Streams }

// Run implements Command.
func (c *WatchCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("watch", "DIR --server URL --key K", c.Stdout)
	server := fs.String("server", os.Getenv("REGFUS_SERVER"), "the service's base URL (default $REGFUS_SERVER), e.g. http://regfus:8080")
	key := fs.String("key", os.Getenv("REGFUS_KEY"), "API key of the station (default $REGFUS_KEY)")
	settle := fs.Duration("settle", watch.DefaultSettle, "a file is uploaded once its size and time have not changed for this long")
	poll := fs.Duration("poll", watch.DefaultPoll, "how often the folder is listed")
	maxBackoff := fs.Duration("max-backoff", watch.DefaultMaxBackoff, "longest pause between retries while the server cannot take uploads")
	once := fs.Bool("once", false, "upload what is ready now and exit (files still settling stay for the next run)")
	// Flags may come before or after DIR.
	var dirs []string
	rest := args
	for {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(dirs) != 1 {
		return usagef("watch: want exactly one DIR, got %d", len(dirs))
	}
	if *server == "" {
		return usagef("watch: --server URL is required")
	}
	if *key == "" {
		return usagef("watch: --key K is required")
	}
	if *settle <= 0 || *poll <= 0 || *maxBackoff < time.Second {
		return usagef("watch: --settle and --poll must be positive and --max-backoff at least 1s")
	}
	log := slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	w, err := watch.New(watch.Config{Dir: dirs[0], Server: *server, Key: *key, Settle: *settle, Poll: *poll,
		MaxBackoff: *maxBackoff, Logger: log})
	if err != nil {
		return usagef("%v", err)
	}
	if *once {
		// Two passes a settle period apart: the first sees the files, the
		// second uploads those that did not change in between.
		if err := w.Pass(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*settle):
		}
		return w.Pass(ctx)
	}
	log.Info("watching", "dir", dirs[0], "server", *server)
	return w.Run(ctx)
}
