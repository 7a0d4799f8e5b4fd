# Synthetic scan corpus (package synth, `regfus synth`).
#
# testdata/scans is committed: every reader is developed and measured
# against it, so it is regenerated only on purpose, with one command, and
# the same seed always gives the same bytes (for a given Go version).
# Bigger corpora for benchmarks are generated elsewhere, never committed:
#   go run ./cmd/regfus synth -o /tmp/corpus -n 1000 --seed 7

SYNTH_DIR   ?= testdata/scans
SYNTH_PAGES ?= 64
SYNTH_SEED  ?= 20230101

.PHONY: corpus
corpus: ## Regenerate the committed scan corpus in testdata/scans (all profiles, seeded)
	find $(SYNTH_DIR) -maxdepth 1 -type f ! -name README.md -delete
	go run ./cmd/regfus synth -o $(SYNTH_DIR) -n $(SYNTH_PAGES) --seed $(SYNTH_SEED) --profile all

# Corpora per label design, for leave-one-design-out measurements (issue
# 11): one directory per design under DESIGN_DIR, never committed.
#   make corpus-designs DESIGN_DIR=/tmp/designs DESIGN_PAGES=20 DESIGN_PROFILES=clean,office,bitonal,phone
# `go run ./cmd/regfus synth --help` lists the flags; synth.Designs() the designs.
DESIGN_DIR      ?= /tmp/regfus-designs
DESIGN_PAGES    ?= 16
DESIGN_SEED     ?= 9001
DESIGN_PROFILES ?= all
DESIGNS         ?= classic itf-above digits-over side-by-side compact tall-side bordered zint gnu-barcode staggered matrix-corner

.PHONY: corpus-designs
corpus-designs: ## Write one synthetic corpus per label design under DESIGN_DIR (not committed)
	for d in $(DESIGNS); do \
		go run ./cmd/regfus synth -o $(DESIGN_DIR)/$$d -n $(DESIGN_PAGES) --seed $(DESIGN_SEED) --profile $(DESIGN_PROFILES) --designs $$d || exit 1; \
	done
