#!/usr/bin/env bash
# Runs the whole peer comparison (see README.md beside this script) with
# one command, from the repository root or anywhere; every flag is passed
# to peerbench, and file paths are taken from the caller's directory:
#
#   bench/peers/run.sh --md docs/peers.md --svg docs/peers.svg
#   bench/peers/run.sh --bots herald,telego --modes polling --work 2ms --repeat 3
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null || { echo "run.sh: go is not on PATH" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/peerbench" ./cmd/peerbench)
"$tmp/peerbench" --dir "$here" "$@"
