// Command regfus renders Registro delle Fustelle sheets, reads their scans
// back and reconciles what it read against the pharmacy's declarations and
// dispensing records.
//
// main is deliberately thin: it parses the command name, hands the rest of
// the arguments to that command's Run and turns the returned error into an
// exit status. Every subcommand lives in its own file with one Run(ctx, args)
// method and never calls os.Exit itself, so it can be tested in-process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Streams are the standard streams a command writes to; tests swap them.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one subcommand.
type Command interface {
	// Run executes the command with the arguments after its name.
	Run(ctx context.Context, args []string) error
}

// commandInfo describes a subcommand for the registry and the help text.
type commandInfo struct {
	summary string
	new     func(Streams) Command
}

// commands is the registry of subcommands. Each file adds itself in init.
var commands = map[string]commandInfo{}

func register(name, summary string, f func(Streams) Command) {
	commands[name] = commandInfo{summary: summary, new: f}
}

// UsageError is a mistake in how the command was called: exit status 2.
// The message points to the help of the command that was called (cmd,
// e.g. "render" or "keys create"; empty for regfus itself).
type UsageError struct{ cmd, msg string }

func (e *UsageError) Error() string { return e.msg }

// usagef builds a UsageError; Main and the commands with actions name the
// command it belongs to (inCommand).
func usagef(format string, a ...any) error { return &UsageError{msg: fmt.Sprintf(format, a...)} }

// inCommand names cmd as the command of a UsageError that names none yet.
func inCommand(cmd string, err error) error {
	var ue *UsageError
	if errors.As(err, &ue) && ue.cmd == "" {
		ue.cmd = cmd
	}
	return err
}

// errHelp is returned when help was asked for and printed: exit status 0.
var errHelp = errors.New("help requested")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Main(ctx, os.Args[1:], Streams{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		help := "regfus --help"
		if ue.cmd != "" {
			help = "regfus " + ue.cmd + " --help"
		}
		fmt.Fprintf(stderr, "regfus: %s (see %s)\n", ue.msg, help)
		return 2
	default:
		fmt.Fprintf(stderr, "regfus: %v\n", err)
		return 1
	}
}

// Main runs the command line args with the given streams.
func Main(ctx context.Context, args []string, s Streams) error {
	if len(args) == 0 {
		printUsage(s.Stderr)
		return usagef("no command given")
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		printUsage(s.Stdout)
		return errHelp
	}
	info, ok := commands[name]
	if !ok {
		return usagef("unknown command %q", name)
	}
	return inCommand(name, info.new(s).Run(ctx, args[1:]))
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "regfus: render, read and reconcile Registro delle Fustelle sheets")
	fmt.Fprintln(w, "\nUsage:\n  regfus COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'regfus COMMAND --help' for the flags of a command.")
}
