package api

import (
	_ "embed"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/regfus/regfus/auth"
)

// openapiYAML is the contract, served as is at /openapi.yaml.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the OpenAPI 3 document the server is built from.
func OpenAPI() []byte { return append([]byte(nil), openapiYAML...) }

// Operation is one method on one path of the document, with what the
// server takes from it.
type Operation struct {
	Method string // GET, POST, ...
	Path   string // as in the document: /v1/batches/{id}
	ID     string // operationId: the Go handler's name in the handler table
	// Roles may call it; nil: public (no key needed).
	Roles []auth.Role
	// MediaTypes the request body may have; nil: no body expected.
	MediaTypes []string
	// Body is the size-limit class (Limits), "" for no body.
	Body string
	// Timeout is the time-limit class: request, upload or stream.
	Timeout string
}

// Operations lists the operations of the embedded document, sorted by
// path and method.
func Operations() []Operation {
	ops, err := parseOperations(openapiYAML)
	if err != nil {
		panic(err) // New fails the same way; tests catch it first
	}
	return ops
}

// EchoPath is the path in echo's syntax: {id} becomes :id.
func (o Operation) EchoPath() string {
	var b strings.Builder
	for _, seg := range strings.Split(o.Path, "/") {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			b.WriteByte(':')
			b.WriteString(seg[1 : len(seg)-1])
		} else {
			b.WriteString(seg)
		}
	}
	return b.String()
}

// allows reports whether role r may call the operation.
func (o Operation) allows(r auth.Role) bool {
	for _, x := range o.Roles {
		if x == r {
			return true
		}
	}
	return false
}

var httpMethods = map[string]string{
	"get": http.MethodGet, "put": http.MethodPut, "post": http.MethodPost, "delete": http.MethodDelete,
	"options": http.MethodOptions, "head": http.MethodHead, "patch": http.MethodPatch, "trace": http.MethodTrace,
}

// Known values of the x-body and x-timeout extensions.
var (
	bodyClasses    = map[string]bool{"upload": true, "check": true, "import": true, "json": true}
	timeoutClasses = map[string]bool{"request": true, "upload": true, "stream": true}
)

// parseOperations reads the operations of an OpenAPI document, sorted by
// path then method, and checks what the server relies on: every operation
// has a unique operationId, known roles, a known body and timeout class, and
// a body class exactly when it declares a request body.
func parseOperations(doc []byte) ([]Operation, error) {
	var d struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	var ops []Operation
	seen := map[string]string{}
	for path, item := range d.Paths {
		for key, node := range item {
			method, ok := httpMethods[key]
			if !ok {
				continue // parameters, summary, ...
			}
			var raw struct {
				OperationID string   `yaml:"operationId"`
				Roles       []string `yaml:"x-roles"`
				Body        string   `yaml:"x-body"`
				Timeout     string   `yaml:"x-timeout"`
				RequestBody *struct {
					Content map[string]yaml.Node `yaml:"content"`
				} `yaml:"requestBody"`
			}
			if err := node.Decode(&raw); err != nil {
				return nil, fmt.Errorf("openapi.yaml: %s %s: %w", method, path, err)
			}
			where := fmt.Sprintf("openapi.yaml: %s %s (line %d)", method, path, node.Line)
			op := Operation{Method: method, Path: path, ID: raw.OperationID, Body: raw.Body, Timeout: raw.Timeout}
			if op.ID == "" {
				return nil, fmt.Errorf("%s: no operationId", where)
			}
			if prev, dup := seen[op.ID]; dup {
				return nil, fmt.Errorf("%s: operationId %q already used by %s", where, op.ID, prev)
			}
			seen[op.ID] = method + " " + path
			for _, r := range raw.Roles {
				role, err := auth.ParseRole(r)
				if err != nil {
					return nil, fmt.Errorf("%s: x-roles: %w", where, err)
				}
				op.Roles = append(op.Roles, role)
			}
			if raw.Roles != nil && len(op.Roles) == 0 {
				return nil, fmt.Errorf("%s: x-roles is empty: omit it for a public Operation", where)
			}
			if !timeoutClasses[op.Timeout] {
				return nil, fmt.Errorf("%s: x-timeout %q: want request, upload or stream", where, op.Timeout)
			}
			if raw.RequestBody != nil {
				for mt := range raw.RequestBody.Content {
					op.MediaTypes = append(op.MediaTypes, mt)
				}
				sort.Strings(op.MediaTypes)
				if len(op.MediaTypes) == 0 {
					return nil, fmt.Errorf("%s: requestBody without content types", where)
				}
				if !bodyClasses[op.Body] {
					return nil, fmt.Errorf("%s: x-body %q: want upload, check, import or json", where, op.Body)
				}
			} else if op.Body != "" {
				return nil, fmt.Errorf("%s: x-body %q without a requestBody", where, op.Body)
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}
