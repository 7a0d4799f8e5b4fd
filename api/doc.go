// Package api is regfus's REST service (SPEC section 7) on labstack/echo.
//
// # One source of truth
//
// The OpenAPI 3 document openapi.yaml (embedded, served at /openapi.yaml)
// is the contract and the route table: New registers exactly its
// operations, finds each one's handler by operationId in one Go map
// (Server.handlers), and takes from the operation's x- extensions and
// requestBody who may call it (x-roles), which media types it accepts
// (requestBody.content, else 415), its body limit class (x-body, else 413)
// and its time limit class (x-timeout). A handler with no operation, or an
// operation with no handler, stops New; a test also checks the registered
// echo routes against the document both ways.
//
// # Handlers are thin
//
// A handler parses the request, calls one domain interface and writes the
// answer. The interfaces are small and defined here (domain.go): Batches,
// Checker, Progress, Corrector and Reconciler are the processing engine
// (package process, adapted by package api/bind); Imports, Reviews and
// Pages are implemented in this package over store.Store, package records
// and package blob.
//
// # Who sees what
//
// Every /v1 request carries Authorization: Bearer <key>; the key is looked
// up by its sha256 (package auth). Missing, malformed, unknown or revoked:
// 401. Role not among the operation's x-roles: 403. Scope is enforced in
// the store's queries (store.Store takes the caller's auth.Scope):
//
//   - something addressed by id (batch, page, review item) that exists but
//     is out of scope is 404, exactly like an id that does not exist (or is
//     not a number), so ids cannot be probed;
//   - a request that names an identity itself (a reconciliation filter, the
//     rows of an import) and names one outside the scope is 403: the
//     caller already knows that identity, and an empty answer would hide a
//     mistake (an import would silently do nothing for those rows).
//
// Roles: stations, pharmacies and admins upload batches (validators
// verify, they do not scan); pharmacies (their own rows), validators (their
// region) and admins import declarations and records, stations do not;
// everyone reads what their scope covers and may self-check a file;
// stations, validators and admins correct review items, pharmacies do not
// (what is paid must not rest on the payee's own correction of a reading).
//
// # Errors
//
// Every failure goes through one error handler (handleError): the client
// gets {"error": "...", "request_id": "..."} (plus "problems" with file,
// line and column for a rejected import) with the status of SPEC section
// 7, and the log gets the cause with the same request id. Messages are
// written for the client and never carry internals (SQL, paths, addresses):
// store.ErrNotFound is 404, store.ErrConflict 409, store.ErrInvalid 400, a
// records.ValidationError 400 with its problems, a scanfile.Error by its
// kind (422 unreadable, 413 too big), Overloaded 503 with Retry-After, a
// request over its time limit 503, anything else 500.
//
// # Limits
//
// Bodies are capped per x-body class (Limits); multipart files beyond
// MultipartMemory spill to temporary files removed after the request.
// Every request has a time limit (Timeouts). Each key has a token bucket
// (RateLimit): over it, 429 with Retry-After. Event streams end at
// shutdown (CloseStreams) so a graceful stop is not held up by them.
//
// # Metrics
//
// regfus_http_requests_total{route,method,status},
// regfus_http_request_duration_seconds{route,method} and
// regfus_http_requests_in_flight, labelled by route pattern (unknown paths
// are "unmatched"), plus whatever the engine registers on the same
// registry; /metrics serves them.
package api
