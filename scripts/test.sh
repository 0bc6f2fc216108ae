#!/usr/bin/env bash
# Runs rlef's checks and tests: gofmt, go vet, staticcheck, a build for
# arm64, then the test suite (as root, like CI).
#
#   ./scripts/test.sh           everything, as CI runs it
#   ./scripts/test.sh --quick   every package's tests with -short: long
#                               suites (agreement runs over whole
#                               benchmarks, differential tests, bursts)
#                               run a representative sample; under two
#                               minutes on two idle cores. For the
#                               development loop, never for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

short=()
timeout=60m
if [ "${1:-}" = "--quick" ]; then
	case "${CI:-}" in
	"" | false | 0) ;;
	*)
		echo "test: --quick leaves most of the agreement runs out; CI runs the whole suite" >&2
		exit 2
		;;
	esac
	short=(-short)
	timeout=10m
fi

echo "test: gofmt, go vet, staticcheck, arm64 build" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted" >&2
	exit 1
fi
go vet ./...
go tool staticcheck ./...
GOARCH=arm64 go build ./...

echo "test: go test ${short[*]} ./..." >&2
go test "${short[@]}" -timeout "$timeout" ./...
