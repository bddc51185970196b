# syntax=docker/dockerfile:1
#
# A small, static, non-root image of lmsproxy:
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%FT%TZ) -t lmsproxy .
#   docker run --rm -p 8080:8080 --env-file lmsproxy.env lmsproxy          # serve
#   docker run --rm lmsproxy version                                       # any other command
#
# Both base images are pinned by digest, so a rebuild is reproducible and a
# base update is a reviewed change. The digests were read from public
# Dockerfiles that pin the same tags (distroless as of 2026-08-26); they
# could not be pulled from here. Before a release, check and refresh them
# with `crane digest IMAGE:TAG` (or `docker buildx imagetools inspect`),
# or override them for one build: --build-arg GO_IMAGE=… --build-arg RUNTIME_IMAGE=….
ARG GO_IMAGE=golang:1.26@sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab

FROM ${GO_IMAGE} AS build
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
FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
# OCI image annotations (opencontainers/image-spec annotations.md), so
# registries and scanners can trace the image to its source and build.
LABEL org.opencontainers.image.title="lmsproxy" \
      org.opencontainers.image.description="Partner API proxy in front of Apache Fineract" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/lmsproxy /lmsproxy
# 65532:65532 is distroless's nonroot; numeric, so Kubernetes' runAsNonRoot
# can verify it without resolving a name.
USER 65532:65532
# 8080 partners; 9090 the admin port when LMSPROXY_ADMIN_LISTEN=:9090.
EXPOSE 8080 9090
# The binary is the entrypoint and serve only its default argument, so
# `docker run IMAGE version` or `… config-test` runs that command instead.
ENTRYPOINT ["/lmsproxy"]
CMD ["serve"]
