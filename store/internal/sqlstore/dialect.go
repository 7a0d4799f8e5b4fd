// Package sqlstore is the one Go implementation of store.Store, over
// database/sql. The PostgreSQL and SQLite packages hand it a Dialect: their
// migrations and the few words and conversions that differ. The SQL is one
// text for both (queries.sql here) and the logic is here, so both stores
// follow exactly the same rules, which the conformance suite then checks
// against both databases.
//
// # queries.sql
//
// The queries file is a sequence of named statements:
//
//	-- name: GetBatch
//	SELECT ... WHERE b.id = $1 AND {{inScope "b" 2}} ...;
//
// Parameters are positional ($1, $2, ...; SQLite accepts the same syntax).
// The file is a text/template: the scope predicates are template functions
// written once (scopeFuncs), repeated column lists are {{define}}d at its
// end, and the words the databases spell otherwise come from the Dialect
// ({{rowLock}}, {{jsonElements}}). Every statement is run by the typed
// method of the same name in queries.go, which orders its parameters: no
// caller names a query by a string or passes a list of values. New refuses
// a text that lacks a statement or has one no method runs, so a typo fails
// at start, not on the first request.
package sqlstore

import (
	"bufio"
	_ "embed"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"text/template"
	"time"
)

//go:embed queries.sql
var queriesSQL string

// Dialect is what differs between databases.
type Dialect struct {
	// Name is "postgres" or "sqlite", for messages.
	Name string
	// Migrations holds NNNN_name.sql files at its root.
	Migrations fs.FS
	// MigrationLock, when set, is executed first in the migration
	// transaction, so concurrent `regfus migrate` runs take turns.
	MigrationLock string
	// MigrationSetup and MigrationTeardown, when set, run on the
	// migration's connection before its transaction begins and after it
	// ends (SQLite: foreign keys off, then on again, so a migration can
	// rebuild a table others refer to). MigrationCheck, when set, runs in
	// the transaction after the migrations; any row it returns refuses
	// them (SQLite: PRAGMA foreign_key_check).
	MigrationSetup, MigrationTeardown, MigrationCheck string
	// RowLock ends a SELECT that locks the rows it reads ({{rowLock}} in
	// queries.sql): "FOR UPDATE" with PostgreSQL, "" with SQLite, whose
	// writers take turns. {{rowLock "SKIP LOCKED"}} adds the words after
	// it when it is set.
	RowLock string
	// JSONElements is a subquery giving the text elements of a JSON array
	// parameter, with %s for the parameter ({{jsonElements "$1"}}).
	JSONElements string
	// Time converts a time for a query parameter (PostgreSQL: time.Time for
	// timestamptz; SQLite: int64 microseconds since the epoch).
	Time func(time.Time) any
	// IsUniqueViolation recognises a unique-constraint error.
	IsUniqueViolation func(error) bool
}

// scopeFuncs are the predicates queries.sql writes once. alias is a table
// alias ("" for none) whose region, asl and pharmacy columns are compared;
// n is the number of the scope's first parameter (region, then asl, then
// pharmacy): NULL means unrestricted.
var scopeFuncs = template.FuncMap{
	"inScope": inScope,
	// pageSeen: page p (alias) created by batch ob (owner) is seen by the
	// scope when the batch that created it is in scope, or the sheet
	// identity read from the page is.
	"pageSeen": func(page, owner string, n int) string {
		return fmt.Sprintf("((%s) OR EXISTS (SELECT 1 FROM sheets vs WHERE vs.page_id = %s.id AND %s))",
			inScope(owner, n), page, inScope("vs", n))
	},
	// inGroup: the scope in $n..$n+2, then the filter region, asl,
	// pharmacy, competence in $n+3..$n+6 (NULL: any).
	"inGroup": func(alias string, n int) string {
		cols := []string{"region", "asl", "pharmacy", "competence"}
		terms := []string{inScope(alias, n)}
		for i, c := range cols {
			terms = append(terms, optional(alias, c, n+3+i))
		}
		return strings.Join(terms, " AND ")
	},
}

func inScope(alias string, n int) string {
	return strings.Join([]string{optional(alias, "region", n), optional(alias, "asl", n+1), optional(alias, "pharmacy", n+2)}, " AND ")
}

// optional is "column equals $n, unless $n is NULL".
func optional(alias, column string, n int) string {
	if alias != "" {
		column = alias + "." + column
	}
	return fmt.Sprintf("(CAST($%d AS TEXT) IS NULL OR %s = $%d)", n, column, n)
}

// loadStatements renders queries.sql for the dialect and fills every
// field of a statements value with its statement.
func loadStatements(d Dialect) (statements, error) {
	funcs := template.FuncMap{
		"rowLock": func(more ...string) string {
			if d.RowLock == "" {
				return ""
			}
			return strings.Join(append([]string{d.RowLock}, more...), " ")
		},
		"jsonElements": func(param string) string { return fmt.Sprintf(d.JSONElements, param) },
	}
	for k, v := range scopeFuncs {
		funcs[k] = v
	}
	tmpl, err := template.New("queries.sql").Funcs(funcs).Parse(queriesSQL)
	if err != nil {
		return statements{}, fmt.Errorf("queries.sql: %w", err)
	}
	var text strings.Builder
	if err := tmpl.Execute(&text, nil); err != nil {
		return statements{}, fmt.Errorf("%s queries.sql: %w", d.Name, err)
	}
	q, err := parseQueries(d.Name, text.String())
	if err != nil {
		return statements{}, err
	}
	return fillStatements(d.Name, q)
}

// fillStatements sets each field of a statements value to the query of
// its name, and fails unless the names are exactly the fields.
func fillStatements(dialect string, q map[string]string) (statements, error) {
	var st statements
	v := reflect.ValueOf(&st).Elem()
	var missing []string
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		text := q[name]
		if strings.TrimSpace(strings.TrimSuffix(text, ";")) == "" {
			missing = append(missing, name)
			continue
		}
		v.Field(i).Set(reflect.ValueOf(statement{name: name, text: text}))
	}
	var unknown []string
	for n := range q {
		if _, ok := v.Type().FieldByName(n); !ok {
			unknown = append(unknown, n)
		}
	}
	sort.Strings(unknown)
	if len(missing) > 0 || len(unknown) > 0 {
		return statements{}, fmt.Errorf("%s queries.sql: missing queries %v, unknown queries %v", dialect, missing, unknown)
	}
	return st, nil
}

// parseQueries splits a rendered queries.sql into named statements. Lines
// that are only a comment are left out of the statements.
func parseQueries(dialect, text string) (map[string]string, error) {
	q := map[string]string{}
	var name string
	var body strings.Builder
	flush := func() {
		if name != "" {
			q[name] = strings.TrimSpace(body.String())
		}
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		t := strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(t, "-- name:"); ok {
			flush()
			name = strings.TrimSpace(rest)
			if _, dup := q[name]; dup {
				return nil, fmt.Errorf("%s queries.sql line %d: query %q defined twice", dialect, line, name)
			}
			continue
		}
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		if name == "" {
			return nil, fmt.Errorf("%s queries.sql line %d: SQL before the first '-- name:' line", dialect, line)
		}
		body.WriteString(l)
		body.WriteByte('\n')
	}
	flush()
	return q, nil
}
