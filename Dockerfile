# syntax=docker/dockerfile:1
#
# A small, static, non-root image of lmsproxy:
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t lmsproxy .
#   docker run --rm -p 8080:8080 --env-file lmsproxy.env lmsproxy
#
# Pin both base images by digest in production (FROM image@sha256:...), so a
# rebuild is reproducible and a base update is a reviewed change.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so the download layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# The same build as `make build`: no cgo, so the binary needs no libc and runs
# on an image with nothing else in it; -trimpath keeps build paths out of it.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lmsproxy ./cmd/lmsproxy

# distroless/static: CA certificates (HTTPS to the upstream and the issuer),
# time zone data (LMSPROXY_UPSTREAM_TIMEZONE) and a nonroot user; no shell, no package
# manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lmsproxy /lmsproxy
# 65532:65532 is distroless's nonroot; numeric, so Kubernetes' runAsNonRoot
# can verify it without resolving a name.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/lmsproxy", "serve"]
