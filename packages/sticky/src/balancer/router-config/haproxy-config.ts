// HAProxy configuration that routes each Socket.IO request by the node tag at the start of its
// `sid` query parameter (`url_param(sid)` looked up in a map file of tag → backend), places new
// sessions over the nodes that pass their `/readyz` check, and keeps a draining node's own
// sessions on it until it closes them.
import type { RouterPlan } from "./router-plan.js";

/** Where the configuration expects the tag → backend map (Debian's haproxy directory). */
export const HAPROXY_MAP_FILE = "/etc/haproxy/switchyard-sid.map";

/** Backend that places new sessions. */
export const HAPROXY_NEW_SESSIONS = "switchyard_new_sessions";

/** HAProxy backend name of one node. */
export function haproxyBackendName(nodeName: string): string {
  return `switchyard_node_${nodeName}`;
}

/** The haproxy.cfg for `plan`, with a header naming the command that made it. */
export function haproxyConfig(plan: RouterPlan): string {
  const timeout = `${plan.idleTimeoutSeconds}s`;
  const check = plan.healthCheck;
  const balance =
    plan.newSessions === "consistent-hash"
      ? ["  balance source", "  hash-type consistent"]
      : ["  balance leastconn"];
  const checks =
    check === false
      ? []
      : [
          `  option httpchk GET ${check.path}`,
          "  http-check expect status 200",
          `  default-server inter ${check.intervalMs}ms fall ${check.fall} rise ${check.rise}`,
        ];
  const lines = [
    "# switchyard: routes every Socket.IO request to the node that owns its session, by the node",
    "# tag at the start of the sid (nodeTag(nodeId) of @switchyard/server). HAProxy 2.4 or newer.",
    `# The map of tags to backends is read from ${HAPROXY_MAP_FILE}.`,
    "# Generated, do not edit; regenerate with:",
    `#   ${plan.command}`,
    "# and the map with the same flags and --print haproxy-map.",
    "",
    "global",
    "  log stdout format raw local0 info",
    "  maxconn 20000",
    "",
    "defaults",
    "  log global",
    "  mode http",
    "  option httplog",
    "  option forwardfor",
    "  timeout connect 5s",
    "  timeout http-request 10s",
    "  # Above pingInterval + pingTimeout (45 s by default): a held long-polling GET and an idle",
    "  # WebSocket are never cut.",
    `  timeout client ${timeout}`,
    `  timeout server ${timeout}`,
    `  timeout tunnel ${timeout}`,
    "",
    "frontend socketio",
    `  bind :${plan.port}`,
    "  # The first 4 characters of the sid name its node's backend. No sid (a handshake) or a tag",
    "  # of no node here: the new-session backend (a node answers an unknown sid with 400).",
    `  use_backend %[url_param(sid),map_beg(${HAPROXY_MAP_FILE},${HAPROXY_NEW_SESSIONS})]`,
    `  default_backend ${HAPROXY_NEW_SESSIONS}`,
    "",
    "# New sessions go to the nodes whose readiness check passes: a node in shutdown answers 503",
    "# and stops getting new sessions within inter x fall. A connection refused is retried on",
    "# another node.",
    `backend ${HAPROXY_NEW_SESSIONS}`,
    ...balance,
    ...checks,
    "  option redispatch",
    "  retries 2",
    ...plan.nodes.map((node) => `  server ${node.name} ${node.address}${check ? " check" : ""}`),
    "",
    "# One backend per node for the requests carrying its sids. No check here: a draining node",
    "# (503 on its readiness check) keeps serving its own sessions until it closes them; a dead one",
    "# answers 503 and its clients reconnect through the new-session backend.",
    ...plan.nodes.flatMap((node) => [
      `backend ${haproxyBackendName(node.name)}`,
      `  server ${node.name} ${node.address}`,
      "",
    ]),
  ];
  return lines.join("\n");
}

/** The map file: one `tag backend` line per node. */
export function haproxyMap(plan: RouterPlan): string {
  const lines = [
    "# switchyard: sid tag (first 4 characters of the sid) -> the backend of its node.",
    "# Generated, do not edit; regenerate with:",
    `#   ${plan.command}`,
    ...plan.nodes.map((node) => `${node.tag} ${haproxyBackendName(node.name)}`),
    "",
  ];
  return lines.join("\n");
}
