package auth

import (
	"errors"
	"fmt"

	"github.com/regfus/regfus/sheet"
)

// Writer is one party to a write whose scope must cover what is written:
// Who says which ("this key", "the page's uploader") in messages.
type Writer struct {
	Who   string
	Scope Scope
}

// ErrOutOfScope: a write names a pharmacy outside a writer's scope. Use
// errors.As with *OutOfScopeError for the details.
var ErrOutOfScope = errors.New("out of scope")

// OutOfScopeError names the pharmacy and the writer whose scope does not
// cover it.
type OutOfScopeError struct {
	Identity sheet.Key // the pharmacy, every month (AnyMonth)
	Writer   Writer
}

func (e *OutOfScopeError) Error() string {
	return fmt.Sprintf("pharmacy %s is outside the scope of %s (%s)", e.Identity, e.Writer.Who, e.Writer.Scope)
}

func (e *OutOfScopeError) Is(target error) bool { return target == ErrOutOfScope }

// AuthorizeWrite is the one rule of every write: data about the pharmacy
// of k (its month plays no part) may be written only when every writer's
// scope covers it. It returns nil, or an *OutOfScopeError for the first
// writer that does not cover it. A key with an empty part is covered only
// by scopes that do not fix that part (an admin's).
func AuthorizeWrite(k sheet.Key, writers ...Writer) error {
	for _, w := range writers {
		if !w.Scope.Covers(k) {
			return &OutOfScopeError{Identity: k.AnyMonth(), Writer: w}
		}
	}
	return nil
}
