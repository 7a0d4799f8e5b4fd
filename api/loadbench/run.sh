#!/usr/bin/env bash
# Load benchmark of the REST service (not a test: it prints figures).
#
#   api/loadbench/run.sh            # from the repository root
#
# It starts a throwaway PostgreSQL (scripts/testpg), `regfus serve
# --workers 0` in front of two `regfus worker` processes (River), and
# measures, on loopback:
#   1. a batch of PAGES distinct pages (default 1000: single-page PNG and
#      JPEG scans of testdata/scans, each with a comment that changes its
#      bytes, so none is deduplicated) through the two workers: pages/s
#      from the first upload to the last page, page latency percentiles
#      (pages.millis), failed pages;
#   2. the read endpoints with wrk (GET batch, pages, reconciliations,
#      review): requests/s, latency percentiles, non-2xx responses;
#   3. POST /v1/check with hey (pages read while the request waits).
#
# Environment: PAGES (1000), WORKERS_PER_PROCESS (1), OCR (1: read with
# Tesseract as in production; 0: bars only), DURATION (wrk seconds, 15),
# CHECKS (hey requests, 40), CONCURRENCY (hey, 4), KEEP (1: keep the
# work folder).
set -euo pipefail

PAGES=${PAGES:-1000}
WPP=${WORKERS_PER_PROCESS:-1}
OCR=${OCR:-1}
DURATION=${DURATION:-15}
CHECKS=${CHECKS:-40}
CONCURRENCY=${CONCURRENCY:-4}
PORT=${PORT:-18181}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

for tool in wrk hey curl psql; do
	command -v "$tool" >/dev/null || { echo "loadbench: $tool is needed (apt-get install wrk hey curl postgresql-client)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/regfus-loadbench.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "${TESTPG_DIR:-}" ] && scripts/testpg stop "$TESTPG_DIR" >/dev/null 2>&1 || true
	[ "${KEEP:-0}" = 1 ] && echo "loadbench: work folder kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

echo "loadbench: building regfus" >&2
go build -o "$WORK/regfus" ./cmd/regfus
RF="$WORK/regfus"
eval "$(scripts/testpg start)"
DB="$TEST_DATABASE_URL"
DATA="$WORK/data"
ocrflag=()
[ "$OCR" = 1 ] || ocrflag=(--no-ocr)

KEY=$("$RF" keys create --role admin --data "$DATA" --database-url "$DB" 2>/dev/null)
"$RF" serve --addr "127.0.0.1:$PORT" --data "$DATA" --database-url "$DB" --workers 0 --rate 0 \
	--max-queue 100000 "${ocrflag[@]}" 2>"$WORK/serve.log" &
PIDS+=($!)
for i in 1 2; do
	"$RF" worker --data "$DATA" --database-url "$DB" --workers "$WPP" "${ocrflag[@]}" 2>"$WORK/worker$i.log" &
	PIDS+=($!)
done
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done
AUTH="Authorization: Bearer $KEY"

echo "loadbench: making $PAGES distinct pages" >&2
go run ./api/loadbench/variants -n "$PAGES" -o "$WORK/pages" testdata/scans >&2

# 1. The batch: uploads of 100 files each, then wait for every page.
start=$(date +%s.%N)
ids=()
files=("$WORK"/pages/*)
for ((i = 0; i < ${#files[@]}; i += 100)); do
	args=()
	for f in "${files[@]:i:100}"; do args+=(-F "files=@$f"); done
	id=$(curl -sf -H "$AUTH" "${args[@]}" "$BASE/v1/batches" | sed 's/^{"id":\([0-9]*\).*/\1/')
	ids+=("$id")
done
uploaded=$(date +%s.%N)
while :; do
	left=0
	for id in "${ids[@]}"; do
		b=$(curl -sf -H "$AUTH" "$BASE/v1/batches/$id")
		q=$(echo "$b" | sed 's/.*"pages_queued":\([0-9]*\).*"pages_running":\([0-9]*\).*/\1 \2/')
		left=$((left + ${q% *} + ${q#* }))
	done
	[ "$left" = 0 ] && break
	sleep 1
done
end=$(date +%s.%N)
read -r total failed p50 p90 p99 pmax < <(psql -At -F ' ' "$DB" -c \
	"SELECT count(*), count(*) FILTER (WHERE state = 'failed'),
	        percentile_cont(0.5) WITHIN GROUP (ORDER BY millis), percentile_cont(0.9) WITHIN GROUP (ORDER BY millis),
	        percentile_cont(0.99) WITHIN GROUP (ORDER BY millis), max(millis) FROM pages")
echo
echo "== batch: $total pages through 2 worker processes x $WPP (OCR=$OCR, $(nproc) cores)"
awk -v s="$start" -v u="$uploaded" -v e="$end" -v n="$total" 'BEGIN {
	printf "upload: %.1f s for %d files; all pages done after %.1f s: %.2f pages/s\n", u - s, n, e - s, n / (e - s) }'
echo "page latency (decode + read, ms): p50 $p50, p90 $p90, p99 $p99, max $pmax; failed pages: $failed"

# 2. Read endpoints.
id=${ids[0]}
echo
echo "== read endpoints: wrk -t2 -c16 -d${DURATION}s"
for path in "/v1/batches/$id" "/v1/batches/$id/pages" "/v1/reconciliations" "/v1/review?limit=100" "/healthz"; do
	size=$(curl -s -o /dev/null -w '%{size_download}' -H "$AUTH" "$BASE$path")
	out=$(wrk -t2 -c16 -d"${DURATION}s" --timeout 30s --latency -H "$AUTH" "$BASE$path")
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
	errs=$(echo "$out" | awk '/Socket errors/ {print}')
	printf "%-32s %9s bytes %9s req/s  p50 %8s  p99 %8s  non-2xx %s %s\n" "GET $path" "$size" "$rps" "$p50" "$p99" "${non2xx:-0}" "$errs"
done

# 3. The self-check: one scan read per request, while the workers idle.
echo
echo "== POST /v1/check: hey -n $CHECKS -c $CONCURRENCY (one page each)"
curl -s -o /dev/null -w '' "$BASE/healthz"
body="$WORK/check.body"
boundary=regfusloadbench
{
	printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="0009-clean.png"\r\nContent-Type: image/png\r\n\r\n' "$boundary"
	cat testdata/scans/0009-clean.png
	printf -- '\r\n--%s--\r\n' "$boundary"
} >"$body"
hey -n "$CHECKS" -c "$CONCURRENCY" -m POST -H "$AUTH" -T "multipart/form-data; boundary=$boundary" -D "$body" "$BASE/v1/check" |
	awk '/Requests\/sec|Slowest|Fastest|Average|50% in|90% in|95% in|99% in|Status code distribution|^  \[[0-9]+\]|Error distribution/'
