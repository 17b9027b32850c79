# coach as a container image: a static binary on distroless, run as a non-root user.
#
# The base images are pulled from Docker Hub and gcr.io, so build where a registry is reachable:
#
#   docker build -t coach .
#
# The database lives on the volume at /var/lib/coach (set store.path: /var/lib/coach/coach.db),
# the config is mounted at /etc/coach/config.yaml, and the tokens come from the environment
# (SLACK_BOT_TOKEN, SLACK_APP_TOKEN); compose.yaml shows all three.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# No C, so the binary is static and needs no libc at run time. main.go embeds the time zones.
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o coach .
# The database directory, owned by the runtime user: a new volume mounted there starts writable.
RUN mkdir -p /out/var/lib/coach

# distroless/static: CA certificates, /etc/passwd with nonroot (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/coach /usr/local/bin/coach
COPY --from=build --chown=65532:65532 /out/var/lib/coach /var/lib/coach
USER 65532:65532
VOLUME ["/var/lib/coach"]
ENTRYPOINT ["/usr/local/bin/coach"]
CMD ["run", "--config", "/etc/coach/config.yaml"]
