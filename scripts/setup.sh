#!/usr/bin/env bash
# Installs what rlef needs on a fresh Debian machine, builds ./rlef and runs
# the main job (`rlef selfcheck`): Debian's python3, python3-numpy and g++
# for the programs under test, python3-torch for the model's reference tests
# and `rlef bench train`, chromium for the HTML report test, and the Go
# modules. Run it as root or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
packages=(python3 python3-numpy python3-torch g++ chromium)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "setup: downloading Go modules and building ./rlef" >&2
go mod download
go build -o rlef ./cmd/rlef

if [ "${RLEF_SETUP_NO_SELFCHECK:-}" != "1" ]; then
	./rlef selfcheck
fi
