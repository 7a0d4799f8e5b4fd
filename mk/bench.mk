# Scan speed and memory (issue 4): a 200-page office corpus is generated,
# decoded alone (the floor), then read by `regfus scan` with every filled
# slot OCR-checked. Per-stage figures: go test -bench . ./acquisition/
bench: build ## pages/s and peak memory of regfus scan on 200 office pages
	OMP_THREAD_LIMIT=1 $(BIN) bench --pages 200

.PHONY: bench
