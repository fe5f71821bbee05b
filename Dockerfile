# syntax=docker/dockerfile:1
# Build: a static binary (pure-Go SQLite, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/kamflow/kamflow/app.Version=${VERSION}" -o /out/kamflow .

# Run: no shell, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kamflow /kamflow
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/kamflow"]
CMD ["web"]
