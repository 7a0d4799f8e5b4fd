# syntax=docker/dockerfile:1
#
# regfus container: a cgo build (OpenCV 4.6 via gocv v0.31.0, Tesseract 5.3
# via gosseract) on Debian 12, and a slim runtime with poppler's tools for
# PDF input, the shared libraries the binary links and nothing else: no
# compiler, no -dev package. The OCR models and the fonts are embedded in
# the binary.
#
# Build: `docker build -t regfus .` (or podman), or `make image` on a
# machine without a registry (scripts/image makes the base images locally).
# GO_VERSION is go.mod's; `make image` passes it.
#
# Data: the container runs in /var/lib/regfus (a volume), where regfus's
# default data folder ./regfus-data is /var/lib/regfus/regfus-data. So
# `docker exec CONTAINER regfus keys create ...`, with no --data, writes to
# the database the server reads. See docs/operations.md.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates pkg-config g++ libopencv-dev libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# --as-needed: only the libraries the binary calls are linked (pkg-config
# opencv4 names every OpenCV module). The Go build cache is a cache mount,
# so a rebuild compiles only what changed.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 CGO_LDFLAGS="-Wl,--as-needed" \
    go build -trimpath -ldflags="-s -w" -o /out/regfus ./cmd/regfus
# The binary's shared-library closure (ldd resolves it transitively), plus
# what is loaded at run time with dlopen: oneTBB (under OpenCV) opens
# libtbbmalloc.so.2 when its first thread pool starts. `make image-test`
# reads a scan under LD_DEBUG and fails on any library searched for and not
# found, so a new one cannot go unnoticed. The runtime stage takes those it
# does not already have.
RUN mkdir -p /out/lib \
 && dlopened=$(ldconfig -p | awk '$1 == "libtbbmalloc.so.2" {print $NF; exit}') \
 && test -n "$dlopened" \
 && ldd /out/regfus $dlopened | awk '/=> \// {print $3}' | sort -u | xargs -I{} cp -L {} /out/lib/ \
 && cp -L $dlopened /out/lib/ \
 && echo "$(ls /out/lib | wc -l) libraries, $(du -sh /out/lib | cut -f1)"

FROM debian:bookworm-slim AS runtime
# One layer: the runtime packages, then each library of the closure that
# Debian's runtime does not provide (so nothing is there twice), then a
# check that the binary resolves every library.
RUN --mount=type=bind,from=build,source=/out,target=/out \
    apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
 && mkdir -p /usr/local/lib/regfus \
 && for lib in /out/lib/*; do \
      name=$(basename "$lib"); \
      ldconfig -p | grep -q "^[[:space:]]$name " || cp "$lib" /usr/local/lib/regfus/; \
    done \
 && echo /usr/local/lib/regfus > /etc/ld.so.conf.d/regfus.conf && ldconfig \
 && cp /out/regfus /usr/local/bin/regfus \
 && if ldd /usr/local/bin/regfus | grep 'not found'; then exit 1; fi \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/regfus --shell /usr/sbin/nologin regfus \
 && install -d -o regfus -g regfus -m 0750 /var/lib/regfus
# OpenMP reads OMP_THREAD_LIMIT at start-up: one thread per Tesseract client,
# parallelism comes from regfus's own worker pool.
ENV OMP_THREAD_LIMIT=1
USER regfus
WORKDIR /var/lib/regfus
VOLUME ["/var/lib/regfus"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/regfus", "health", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/regfus"]
# --addr :8080 explicitly (regfus's own default is loopback only); the data
# folder is the default ./regfus-data under the working directory.
CMD ["serve", "--addr", ":8080"]
