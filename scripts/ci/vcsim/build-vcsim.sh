#!/usr/bin/env bash
# Builds the vSphere simulator (vcsim) from Debian's govmomi sources into the path given as the first argument.
# Usage: scripts/ci/vcsim/build-vcsim.sh /tmp/headroom-vcsim/vcsim
# Idempotent: does nothing when the binary exists and is newer than main.go.
set -euo pipefail

output_path="${1:?usage: build-vcsim.sh OUTPUT_PATH}"
script_directory="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_file="${script_directory}/main.go"
govmomi_source="/usr/share/gocode/src/github.com/vmware/govmomi/simulator"

if [[ -x "${output_path}" && "${output_path}" -nt "${source_file}" ]]; then
  echo "vcsim is up to date: ${output_path}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 || [[ ! -d "${govmomi_source}" ]]; then
  sudo_command=()
  if [[ "$(id -u)" -ne 0 ]]; then
    sudo_command=(sudo)
  fi
  "${sudo_command[@]}" apt-get update
  "${sudo_command[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    golang-go golang-github-vmware-govmomi-dev
fi

build_directory="$(mktemp -d /tmp/headroom-vcsim-build.XXXXXX)"
trap 'rm -rf "${build_directory}"' EXIT
cp "${source_file}" "${build_directory}/main.go"
mkdir -p "$(dirname "${output_path}")"
output_absolute="$(cd "$(dirname "${output_path}")" && pwd)/$(basename "${output_path}")"

(
  cd "${build_directory}"
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-/tmp/headroom-vcsim-gocache}" \
    go build -o "${output_absolute}.partial" main.go
)
mv "${output_absolute}.partial" "${output_absolute}"
echo "vcsim built: ${output_absolute}"
