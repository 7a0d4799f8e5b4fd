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
