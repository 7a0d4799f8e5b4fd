package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics are the service's HTTP figures. Routes are labelled by their
// pattern (/v1/batches/:id), never by the raw path, and every path no
// route matches is "unmatched", so label values stay bounded whatever
// clients send.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	known    map[string]bool // registered route patterns
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regfus_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "regfus_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method (event streams: their whole length).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "regfus_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
		known: map[string]bool{},
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// metricsHandler serves the registry in the Prometheus text format.
func (s *Server) metricsHandler() echo.HandlerFunc {
	h := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{ErrorLog: nil, Registry: s.cfg.Registry})
	return echo.WrapHandler(h)
}

// health is the body of /healthz and /readyz.
type health struct {
	Status string `json:"status"`
}

// healthz says the process is up; it touches nothing.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, health{Status: "ok"})
}

// readyz says whether the service can take work: the store answers within
// a few seconds. When the database is away it is 503, and 200 again as
// soon as it answers.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		return wrap(http.StatusServiceUnavailable, err, "the store is not answering")
	}
	return c.JSON(http.StatusOK, health{Status: "ok"})
}

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openapiYAML)
}
