package process

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's Prometheus collectors. They are not registered
// anywhere by the engine: the API registers them on its registry next to
// its HTTP metrics (Register), `regfus worker` on its own.
type Metrics struct {
	// Pages counts pages processed by this process, by outcome: ok,
	// review, rejected (results) and failed (given up on).
	Pages *prometheus.CounterVec
	// PageSeconds is the time to decode and read one page.
	PageSeconds prometheus.Histogram
	// QueueDepth is the number of pages waiting or running, system-wide.
	QueueDepth prometheus.Gauge
	// Uploads counts uploaded files by outcome: new, known (same bytes
	// uploaded before), unreadable; and refused uploads (overloaded).
	Uploads *prometheus.CounterVec
	// CheckSeconds is the time of one synchronous self-check.
	CheckSeconds prometheus.Histogram
	// ChecksRefused counts self-checks refused with 503 (too many waiting
	// already, or no CPU slot within the wait).
	ChecksRefused prometheus.Counter
	// Reconciliations counts pharmacy reconciliations by outcome (ok,
	// error); ReconcileSeconds times them.
	Reconciliations  *prometheus.CounterVec
	ReconcileSeconds prometheus.Histogram
	// BlobsRemoved counts originals removed: stored by an upload that then
	// failed (failed_upload), or found by the collector with no file row
	// (unreferenced).
	BlobsRemoved *prometheus.CounterVec
}

// Page outcomes of Metrics.Pages.
const (
	OutcomeOK       = "ok"
	OutcomeReview   = "review"
	OutcomeRejected = "rejected"
	OutcomeFailed   = "failed"
)

// NewMetrics makes a set of collectors with every label pre-created, so a
// scrape shows zeros before the first page.
func NewMetrics() *Metrics {
	return &Metrics{
		Pages: counterVec("regfus_pages_processed_total",
			"Pages read by this process, by outcome (ok, review, rejected, failed).",
			"outcome", OutcomeOK, OutcomeReview, OutcomeRejected, OutcomeFailed),
		PageSeconds: histogram("regfus_page_duration_seconds", "Time to decode and read one page.",
			[]float64{0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "regfus_queue_depth",
			Help: "Pages waiting or being read, across all workers.",
		}),
		Uploads: counterVec("regfus_uploaded_files_total",
			"Uploaded files by outcome (new, known, unreadable, overloaded).",
			"outcome", "new", "known", "unreadable", "overloaded"),
		CheckSeconds: histogram("regfus_check_duration_seconds", "Time of one synchronous self-check (POST /v1/check).",
			[]float64{0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60}),
		ChecksRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "regfus_checks_refused_total",
			Help: "Self-checks (POST /v1/check) refused with 503: too many waiting, or no CPU slot within the wait.",
		}),
		Reconciliations: counterVec("regfus_reconciliations_total",
			"Pharmacy reconciliations run by this process, by outcome.",
			"outcome", "ok", "error"),
		ReconcileSeconds: histogram("regfus_reconcile_duration_seconds",
			"Time to reconcile one pharmacy (load, reconcile, store).", prometheus.DefBuckets),
		BlobsRemoved: counterVec("regfus_blobs_removed_total",
			"Stored originals removed: of failed uploads (failed_upload), or found unreferenced by the collector (unreferenced).",
			"reason", "failed_upload", "unreferenced"),
	}
}

// counterVec is a counter by one label whose values are created at once
// (at zero).
func counterVec(name, help, label string, values ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	for _, x := range values {
		v.WithLabelValues(x)
	}
	return v
}

func histogram(name, help string, buckets []float64) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
}

// Collectors lists every collector.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Pages, m.PageSeconds, m.QueueDepth, m.Uploads, m.CheckSeconds, m.ChecksRefused, m.Reconciliations, m.ReconcileSeconds, m.BlobsRemoved}
}

// Register registers every collector on reg.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	var errs []error
	for _, c := range m.Collectors() {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
