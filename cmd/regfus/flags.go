package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// newFlagSet returns a FlagSet whose errors become UsageErrors and whose
// --help prints the command's usage to stdout.
func newFlagSet(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: regfus %s %s\n\nFlags:\n", name, usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, printing help on -h and turning every other
// parse failure into a one-line UsageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		// The flag package has already printed fs.Usage.
		return errHelp
	}
	if err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// parseNoArgs is parseFlags for a command that takes flags only: an
// argument left over is a usage error.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// action is one action of a command that has several (keys create, list,
// revoke; icr export): its name and what runs it on the arguments after.
type action struct {
	name string
	run  func(ctx context.Context, args []string) error
}

// runAction runs the action of command cmd that args[0] names, with the
// arguments after it; usage is the command's usage line for its --help.
// No action, an unknown one, or flags before it are usage errors that
// list the actions.
func runAction(ctx context.Context, stdout io.Writer, cmd, usage string, args []string, actions ...action) error {
	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = a.name
	}
	want := names[len(names)-1]
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + want
	}
	if len(args) == 0 {
		return usagef("%s: which action? %s", cmd, want)
	}
	for _, a := range actions {
		if args[0] == a.name {
			return inCommand(cmd+" "+a.name, a.run(ctx, args[1:]))
		}
	}
	switch {
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		flagsOf := "ACTION --help' for an action's"
		if len(actions) == 1 {
			flagsOf = actions[0].name + " --help' for its"
		}
		fmt.Fprintf(stdout, "Usage: regfus %s %s\n\nRun 'regfus %s %s flags.\n", cmd, usage, cmd, flagsOf)
		return errHelp
	case strings.HasPrefix(args[0], "-"):
		return usagef("%s: which action? %s, before the flags (regfus %s %s ...)", cmd, want, cmd, names[0])
	default:
		return usagef("%s: unknown action %q: want %s", cmd, args[0], want)
	}
}

// optionalInt is an int flag that may be left out (set false). Unlike an
// int flag with a sentinel default, its help shows no "(default -1)".
type optionalInt struct {
	n   int
	set bool
}

func (o *optionalInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number")
	}
	o.n, o.set = n, true
	return nil
}

// stdinCount counts the paths that name standard input ("-"): a command
// reads it once, so more than one is a usage error.
func stdinCount(paths []string) int {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
		}
	}
	return n
}
