package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/store"
)

// The web interface (package ui) is mounted on this server and acts
// through the same domain interfaces, scope filters and role rules as the
// REST handlers: it never reaches the store or the engine by another way.
// The exported pieces below are its entry points.

// Domain is what the handlers act through, with the caller's Principal
// passed to every call that can be scoped.
type Domain struct {
	Store      store.Store
	Batches    Batches   // nil: no processing on this server
	Checker    Checker   // nil: no processing on this server
	Progress   Progress  // never nil
	Corrector  Corrector // nil: no processing on this server
	Reviews    Reviews
	Pages      Pages
	Reconciler Reconciler
}

// Domain returns the server's domain interfaces.
func (s *Server) Domain() Domain {
	return Domain{Store: s.cfg.Store, Batches: s.cfg.Batches, Checker: s.cfg.Checker, Progress: s.progress,
		Corrector: s.cfg.Corrector, Reviews: s.reviews, Pages: s.pages, Reconciler: s.cfg.Reconciler}
}

// Limits returns the server's body limits (the UI's forms use the same).
func (s *Server) Limits() Limits { return s.cfg.Limits }

// Mount registers a route outside the OpenAPI document (the web
// interface's) on the server, behind the same request id, logging,
// metrics, panic recovery and compression as the API, with the time limit
// of the given x-timeout class (request, upload or stream).
func (s *Server) Mount(method, path, timeout string, h echo.HandlerFunc) {
	s.e.Add(method, path, h, s.timeoutMiddleware(Operation{Timeout: timeout}))
	s.metrics.known[path] = true
}

// Admit applies to a caller of a UI route what the API applies to a
// caller of operation opID: the per-key rate limit and the operation's
// roles (a 429 or 403 error, as the API's). The caller is recorded on the
// request, for the request log.
func (s *Server) Admit(c echo.Context, who Principal, opID string) error {
	c.Set(ctxPrincipal, who)
	op, ok := s.operation(opID)
	if !ok {
		return fmt.Errorf("api: Admit: no operation %q in openapi.yaml", opID)
	}
	h := s.rateMiddleware(s.roleMiddleware(op)(func(echo.Context) error { return nil }))
	return h(c)
}

// Allows reports whether role may call operation opID (for showing only
// the links a caller can follow).
func (s *Server) Allows(opID string, who Principal) bool {
	op, ok := s.operation(opID)
	return ok && op.allows(who.Scope.Role)
}

func (s *Server) operation(id string) (Operation, bool) {
	for _, op := range s.ops {
		if op.ID == id {
			return op, true
		}
	}
	return Operation{}, false
}

// ErrorStatus is what the API would answer for err: the status and the
// message a client may see (internal causes are never in it).
func ErrorStatus(err error) (int, string) {
	he := classify(err)
	msg := he.Msg
	if he.Foreign {
		msg = scrubPaths(msg)
	}
	if he.Status == 0 {
		return http.StatusInternalServerError, msg
	}
	return he.Status, msg
}
