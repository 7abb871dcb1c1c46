#!/usr/bin/env bash
# Installs MinIO, the S3 server the tests of internal/dest/s3, internal/cli
# (fleet, S3 end to end) and bench/fleet start on 127.0.0.1. MinIO is
# AGPL-licensed: it is a test tool only, run as a separate process, never
# linked into posbackup or shipped. Built from the Go module proxy (about 3
# minutes on 2 cores), pinned to the version the tests were written against.
# Idempotent: does nothing when /usr/local/bin/minio is there.
set -euo pipefail
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
if [ -x /usr/local/bin/minio ]; then
  exit 0
fi
echo "installing minio ${MINIO_VERSION} (test tool only)"
PATH="$PATH:/usr/local/go/bin" GOBIN=/usr/local/bin GOFLAGS=-mod=mod go install "github.com/minio/minio@${MINIO_VERSION}"
