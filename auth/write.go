package auth

import (
	"errors"
	"fmt"
)

// Identity is the pharmacy a piece of data is about.
type Identity struct {
	Region, ASL, Pharmacy string
}

func (id Identity) String() string {
	return fmt.Sprintf("%s-%s-%s", id.Region, id.ASL, id.Pharmacy)
}

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
	Identity Identity
	Writer   Writer
}

func (e *OutOfScopeError) Error() string {
	return fmt.Sprintf("pharmacy %s is outside the scope of %s (%s)", e.Identity, e.Writer.Who, e.Writer.Scope)
}

func (e *OutOfScopeError) Is(target error) bool { return target == ErrOutOfScope }

// AuthorizeWrite is the one rule of every write: data about pharmacy id
// may be written only when every writer's scope covers it. It returns
// nil, or an *OutOfScopeError for the first writer that does not cover
// it. An identity with an empty part is covered only by scopes that do
// not fix that part (an admin's).
func AuthorizeWrite(id Identity, writers ...Writer) error {
	for _, w := range writers {
		if !w.Scope.Covers(id.Region, id.ASL, id.Pharmacy) {
			return &OutOfScopeError{Identity: id, Writer: w}
		}
	}
	return nil
}
