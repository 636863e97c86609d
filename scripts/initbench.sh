#!/usr/bin/env bash
# initbench.sh: binary size, init time and first-invoke time of a bare
# aws-lambda-go function, lambdakit's core, and the core with the X-Ray or the
# OpenTelemetry adapter (see internal/initbench). Medians of N starts
# per variant (default 30), interleaved.
#
#   scripts/initbench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-30}"
exec go test -run '^$' -bench '^BenchmarkInit$' -benchtime "${n}x" -count 1 ./internal/initbench/
