#!/usr/bin/env bash
# Regenerates the sid-routing configurations of nginx, HAProxy and the Gateway API from their
# node lists with `switchyard-balancer --print` (tags are never computed by hand). Each generated
# file quotes its own command in its header; test/deploy/routers-generated.test.ts checks that
# running this again gives exactly the committed files. Run from anywhere:
#   npm run generate:routers            # rewrites the files in place
#   bash infra/generate-routers.sh DIR  # writes them under DIR instead (same relative paths)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-.}"
mkdir -p "$out/infra/nginx" "$out/infra/haproxy" "$out/k8s/components/gateway-sid"

balancer() {
  node --import tsx --conditions=source packages/sticky/src/bin/switchyard-balancer.ts "$@"
}

# The 3 nodes of infra/compose.yaml (SWITCHYARD_NODE_ID = service name).
compose_nodes=(
  --upstream node-1=http://node-1:3000
  --upstream node-2=http://node-2:3000
  --upstream node-3=http://node-3:3000
)
balancer --print nginx "${compose_nodes[@]}" >"$out"/infra/nginx/switchyard.conf
balancer --print haproxy "${compose_nodes[@]}" >"$out"/infra/haproxy/switchyard.cfg
balancer --print haproxy-map "${compose_nodes[@]}" >"$out"/infra/haproxy/switchyard-sid.map

# The StatefulSet ordinals of k8s/base (HPA maxReplicas 8), one Service per pod.
k8s_nodes=()
for i in 0 1 2 3 4 5 6 7; do
  k8s_nodes+=(--upstream "switchyard-node-$i=http://switchyard-node-$i:3000")
done
balancer --print httproute --new-sessions-url http://switchyard-node:3000 "${k8s_nodes[@]}" \
  >"$out"/k8s/components/gateway-sid/httproute.yaml
