// nginx configuration (an `http { }` include) that routes each Socket.IO request by the node tag
// at the start of its `sid` query parameter: a `map` from the tag to one upstream per node, a
// pool of every node for new sessions, WebSocket upgrades, and timeouts above the heartbeat.
import type { RouterPlan } from "./router-plan.js";

/** Name of the nginx upstream that places new sessions. */
export const NGINX_NEW_SESSIONS = "switchyard_new_sessions";

/** nginx upstream name of one node. */
export function nginxUpstreamName(nodeName: string): string {
  return `switchyard_node_${nodeName}`;
}

/** The nginx configuration for `plan`, with a header naming the command that made it. */
export function nginxConfig(plan: RouterPlan): string {
  const timeout = `${plan.idleTimeoutSeconds}s`;
  const width = Math.max(...plan.nodes.map((node) => node.tag.length + 4));
  const lines = [
    "# switchyard: routes every Socket.IO request to the node that owns its session, by the node",
    "# tag at the start of the sid (nodeTag(nodeId) of @switchyard/server). Include this file in",
    "# nginx's http { } block (for example as /etc/nginx/conf.d/switchyard.conf).",
    "# Generated, do not edit; regenerate with:",
    `#   ${plan.command}`,
    "",
    "# The first 4 characters of the sid name its node. No sid (a handshake) or a tag of no node",
    "# here: the new-session pool (a node answers an unknown sid with 400 Session ID unknown).",
    "map $arg_sid $switchyard_upstream {",
    `    ${"default".padEnd(width)} ${NGINX_NEW_SESSIONS};`,
    ...plan.nodes.map(
      (node) =>
        `    ${`"~^${node.tag}"`.padEnd(width)} ${nginxUpstreamName(node.name)};  # ${node.id}`,
    ),
    "}",
    "",
    "# WebSocket upgrades pass Connection: upgrade; other requests keep the node connection alive.",
    "map $http_upgrade $switchyard_connection {",
    "    default upgrade;",
    '    ""      "";',
    "}",
    "",
    "# New sessions. Passive health: a node that fails max_fails times is skipped for fail_timeout;",
    "# proxy_next_upstream below retries a handshake that could not reach a node on the next one.",
    `upstream ${NGINX_NEW_SESSIONS} {`,
    plan.newSessions === "consistent-hash"
      ? "    hash $remote_addr consistent;"
      : "    least_conn;",
    ...plan.nodes.map((node) => `    server ${node.address} max_fails=2 fail_timeout=10s;`),
    "    keepalive 32;",
    "}",
    "",
    "# One upstream per node for the requests carrying its sids: a single server, never marked",
    "# down, so a draining node keeps serving its own sessions; a dead one answers 502 and its",
    "# clients reconnect through the new-session pool.",
    ...plan.nodes.flatMap((node) => [
      `upstream ${nginxUpstreamName(node.name)} {  # ${node.id}`,
      `    server ${node.address};`,
      "    keepalive 16;",
      "}",
      "",
    ]),
    "server {",
    `    listen ${plan.port};`,
    "",
    "    location / {",
    "        proxy_pass http://$switchyard_upstream;",
    "        proxy_http_version 1.1;",
    "        proxy_set_header Host $host;",
    "        proxy_set_header Upgrade $http_upgrade;",
    "        proxy_set_header Connection $switchyard_connection;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    "        # Above pingInterval + pingTimeout (45 s by default): a held long-polling GET and an",
    "        # idle WebSocket are never cut.",
    `        proxy_read_timeout ${timeout};`,
    `        proxy_send_timeout ${timeout};`,
    "        proxy_connect_timeout 5s;",
    "        proxy_next_upstream error timeout;",
    "        proxy_next_upstream_tries 3;",
    "    }",
    "}",
    "",
  ];
  return lines.join("\n");
}
