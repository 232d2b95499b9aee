#!/usr/bin/env bash
# Builds the deployment tools of test/deploy from the Go module proxy into
# ${SWITCHYARD_TOOLS_DIR:-~/.cache/switchyard/tools}/bin, where test/deploy/support/tools.ts
# finds them; GOMODCACHE and GOCACHE keep the downloads and the compiled packages:
#   helm           helm.sh/helm/v3 (lint and template of k8s/helm)
#   k8s-validator  test/deploy/validator: strict decoding with the Kubernetes API types
# Each is skipped while already built (helm: same module version; the validator: the hash of
# its sources, as test/interop/install-peers.sh stamps peers).
set -euo pipefail

HELM_VERSION=v3.21.4
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${SWITCHYARD_TOOLS_DIR:-${HOME}/.cache/switchyard/tools}/bin"
mkdir -p "$bin"

source_hash() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

install_helm() {
  if [[ -x "${bin}/helm" ]] && go version -m "${bin}/helm" | grep -q "helm.sh/helm/v3[[:space:]]*${HELM_VERSION}[[:space:]]"; then
    echo "helm ${HELM_VERSION}: up to date"
    return
  fi
  GOBIN="$bin" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
}

install_validator() {
  local stamp="${bin}/k8s-validator.sha256" hash
  hash="$(source_hash "${here}/validator")"
  if [[ -x "${bin}/k8s-validator" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    echo "k8s-validator: up to date"
    return
  fi
  (cd "${here}/validator" && go build -o "${bin}/k8s-validator" .)
  echo "$hash" >"$stamp"
}

for tool in helm validator; do
  start=$SECONDS
  "install_${tool}"
  echo "tool ${tool}: $((SECONDS - start))s"
done
