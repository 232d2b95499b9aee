// Kubernetes Gateway API HTTPRoute that routes each request carrying a sid to the Service of the
// node whose tag starts it (a RegularExpression query-parameter match: "implementation-specific"
// support in Gateway API), and every other request to one Service over the ready nodes. Each
// node's URL names its Service: http://<service>:<port>.
import { InvalidArgumentError } from "../../errors.js";
import type { RouterPlan } from "./router-plan.js";

/** Gateway API v1: at most 16 rules per HTTPRoute (one per node plus the new-session rule). */
export const MAX_ROUTE_NODES = 15;

/** A Service reference of a rule. */
export interface ServiceRef {
  name: string;
  port: number;
}

// A Service name: an RFC 1035 label.
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The Service of `http://<service>:<port>`; throws when the host is not a Service name. */
export function serviceRef(host: string, port: number): ServiceRef {
  if (!SERVICE_NAME.test(host)) {
    throw new InvalidArgumentError(
      `HTTPRoute backends are Services: ${host} is not a Service name (an RFC 1035 label)`,
    );
  }
  return { name: host, port };
}

/**
 * The HTTPRoute named `routeName` (rules only: merge it onto a route that has your parentRefs,
 * as k8s/components/gateway-sid does, or add parentRefs).
 */
export function gatewayRoute(plan: RouterPlan, newSessions: ServiceRef, routeName: string): string {
  if (plan.nodes.length > MAX_ROUTE_NODES) {
    throw new InvalidArgumentError(
      `an HTTPRoute has at most 16 rules: ${plan.nodes.length} nodes need ${plan.nodes.length + 1}`,
    );
  }
  const backend = (ref: ServiceRef): string[] => [
    "      backendRefs:",
    `        - name: ${ref.name}`,
    `          port: ${ref.port}`,
    "      # No request timeout: a long-polling GET is held up to pingInterval and a WebSocket",
    "      # lives for hours.",
    "      timeouts:",
    "        request: 0s",
  ];
  const lines = [
    "# switchyard: routes every request carrying a sid to the Service of the node whose tag starts",
    "# it (nodeTag(nodeId) of @switchyard/server), everything else (handshakes) to the ready nodes.",
    "# The sid rules use RegularExpression query-parameter matches, whose support is",
    '# "implementation-specific" in Gateway API: check that your implementation has it.',
    "# Generated, do not edit; regenerate with:",
    `#   ${plan.command}`,
    "apiVersion: gateway.networking.k8s.io/v1",
    "kind: HTTPRoute",
    "metadata:",
    `  name: ${routeName}`,
    "spec:",
    "  rules:",
    ...plan.nodes.flatMap((node) => {
      const ref = serviceRef(node.host, node.port);
      return [
        `    # ${node.id}`,
        "    - matches:",
        "        - queryParams:",
        "            - type: RegularExpression",
        "              name: sid",
        `              value: "^${node.tag}"`,
        ...backend(ref),
      ];
    }),
    "    # New sessions (and any request without a sid): the Service of the ready nodes.",
    "    - matches:",
    "        - path:",
    "            type: PathPrefix",
    "            value: /",
    ...backend(newSessions),
    "",
  ];
  return lines.join("\n");
}
