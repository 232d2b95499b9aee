#!/usr/bin/env bash
# Installs the interop peers (test/interop/peers/) from their own registries, into
# ${SWITCHYARD_PEERS_DIR:-~/.cache/switchyard/peers}, where test/support/peers.ts finds them:
#   python-venv/  a venv with python-socketio from PyPI (peers/python-venv/requirements.txt),
#                 pip's own cache kept; it runs peers/python/peer.py
#   java/    socket.io-client-java from Maven Central (~/.m2), built with Maven
#   go/      github.com/zishang520/socket.io v3 from the Go module proxy (GOMODCACHE/GOCACHE)
#   + Debian's python3-socketio 5.7 (apt), run with /usr/bin/python3
# Each build is stamped with the hash of its sources and skipped while the stamp matches.
# Usage: install-peers.sh [python|debian|java|go ...] (default: all).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sources="${here}/peers"
dir="${SWITCHYARD_PEERS_DIR:-${HOME}/.cache/switchyard/peers}"
mkdir -p "$dir"

# The hash test/support/peers.ts recomputes: sha256 of the sorted `sha256sum` lines.
source_hash() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# up_to_date LANG: whether $dir/LANG holds a build of the current sources.
up_to_date() {
  [[ -f "${dir}/$1/source.sha256" && "$(cat "${dir}/$1/source.sha256")" == "$(source_hash "${sources}/$1")" ]]
}

stamp() {
  source_hash "${sources}/$1" >"${dir}/$1/source.sha256"
}

install_python() {
  local venv="${dir}/python-venv"
  if up_to_date python-venv; then
    echo "python peer: up to date"
    return
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check \
    -r "${sources}/python-venv/requirements.txt"
  stamp python-venv
}

install_debian() {
  if [[ -f /usr/lib/python3/dist-packages/socketio/__init__.py ]] && /usr/bin/python3 -c 'import aiohttp' 2>/dev/null; then
    echo "debian python3-socketio: installed"
    return
  fi
  apt-get update </dev/null
  apt-get install -y --no-install-recommends python3-socketio python3-aiohttp </dev/null
}

install_java() {
  if up_to_date java; then
    echo "java peer: up to date"
    return
  fi
  local build="${dir}/java"
  rm -rf "$build"
  mkdir -p "$build"
  mvn --batch-mode --quiet -f "${sources}/java/pom.xml" -Dpeer.buildDir="$build" package </dev/null
  rm -rf "${build:?}/classes" "${build}/generated-sources" "${build}/maven-archiver" "${build}/maven-status"
  stamp java
}

install_go() {
  if up_to_date go; then
    echo "go peer: up to date"
    return
  fi
  mkdir -p "${dir}/go"
  (cd "${sources}/go" && go build -o "${dir}/go/interop-peer" .)
  stamp go
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(python debian java go)
for target in "${targets[@]}"; do
  start=$SECONDS
  "install_${target}"
  echo "peer ${target}: $((SECONDS - start))s"
done
