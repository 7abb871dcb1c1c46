#!/usr/bin/env bash
# staticcheck, pinned (honnef.co/go/tools v0.8.2 = staticcheck 2026.2.2), from
# the Go module proxy; run by .ci/run for Linux and for the Windows build.
set -euo pipefail
want="2026.2.2"
bin="$(go env GOPATH)/bin/staticcheck"
if ! "$bin" -version 2>/dev/null | grep -q "$want"; then
	go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
"$bin" -version
