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

# The runtime's Debian packages and user, first: the build stage needs to
# know which libraries they already provide.
FROM debian:bookworm-slim AS runtime-base
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/regfus --shell /usr/sbin/nologin regfus \
 && install -d -o regfus -g regfus -m 0750 /var/lib/regfus

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
# found, so a new one cannot go unnoticed. Of these, /out/lib keeps those
# the runtime's own packages do not provide (its ld.so.cache says which),
# so nothing is in the image twice.
COPY --from=runtime-base /etc/ld.so.cache /tmp/runtime-ld.so.cache
RUN mkdir -p /out/lib \
 && dlopened=$(ldconfig -p | awk '$1 == "libtbbmalloc.so.2" {print $NF; exit}') \
 && test -n "$dlopened" \
 && { ldd /out/regfus $dlopened | awk '/=> \// {print $3}'; echo "$dlopened"; } | sort -u > /tmp/closure \
 && ldconfig -C /tmp/runtime-ld.so.cache -p | awk 'NR > 1 {print $1}' | sort -u > /tmp/runtime-has \
 && while read -r lib; do \
      grep -qxF "$(basename "$lib")" /tmp/runtime-has || cp -L "$lib" /out/lib/; \
    done < /tmp/closure \
 && echo "closure $(wc -l < /tmp/closure) libraries; $(ls /out/lib | wc -l) not in the runtime, $(du -sh /out/lib | cut -f1)"

# COPY, not a bind mount of the build stage, so that a rebuild's layer
# cache sees a new binary (buildah 1.28 does not hash bind mounts).
FROM runtime-base AS runtime
COPY --from=build /out/lib/ /usr/local/lib/regfus/
COPY --from=build /out/regfus /usr/local/bin/regfus
RUN echo /usr/local/lib/regfus > /etc/ld.so.conf.d/regfus.conf && ldconfig \
 && if ldd /usr/local/bin/regfus | grep 'not found'; then exit 1; fi
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
