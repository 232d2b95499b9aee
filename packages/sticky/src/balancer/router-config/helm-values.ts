// Helm values for the chart's `routing: gateway-sid` (k8s/helm/switchyard): the sid tag of each
// node ordinal, in the order of the upstreams (ordinal 0 first). Helm templates cannot compute
// the tag (an FNV-1a hash), so it comes from here.
import type { RouterPlan } from "./router-plan.js";

/** A values file fragment with `routing: gateway-sid` and `gateway.sidTags`. */
export function helmValues(plan: RouterPlan): string {
  const lines = [
    "# switchyard chart values: sid tag of each node ordinal (the upstreams' order).",
    "# Generated, do not edit; regenerate with:",
    `#   ${plan.command}`,
    "routing: gateway-sid",
    "gateway:",
    "  sidTags:",
    ...plan.nodes.map((node) => `    - "${node.tag}"  # ${node.id}`),
    "",
  ];
  return lines.join("\n");
}
