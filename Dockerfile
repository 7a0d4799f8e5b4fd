# syntax=docker/dockerfile:1
#
# regfus container: a cgo build (OpenCV 4.6 via gocv v0.31.0, Tesseract 5.3
# via gosseract) on Debian 12, and a slim runtime with only the shared
# libraries the binary links, poppler's pdftoppm for PDF input, and no
# compiler. The OCR-A model and the fonts are embedded in the binary.

FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      pkg-config g++ libopencv-dev libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/regfus ./cmd/regfus
# Collect the shared libraries the binary needs (ldd lists the whole
# closure), leaving out the C library itself, which the runtime image has.
RUN mkdir -p /out/lib \
 && ldd /out/regfus | awk '/=> \// {print $3}' \
    | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux)[.-]' \
    | xargs -I{} cp -L {} /out/lib/

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/regfus --create-home regfus
COPY --from=build /out/lib/ /usr/local/lib/regfus/
RUN echo /usr/local/lib/regfus > /etc/ld.so.conf.d/regfus.conf && ldconfig
COPY --from=build /out/regfus /usr/local/bin/regfus
# OpenMP reads OMP_THREAD_LIMIT at start-up: one thread per Tesseract client,
# parallelism comes from regfus's own worker pool.
ENV OMP_THREAD_LIMIT=1
USER regfus
WORKDIR /var/lib/regfus
VOLUME ["/var/lib/regfus"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/regfus", "health", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/regfus"]
CMD ["serve", "--addr", ":8080", "--data", "/var/lib/regfus"]
