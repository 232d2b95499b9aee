// One standalone demo node per process (no node:cluster): what the container image runs, in
// compose (infra/) and Kubernetes (k8s/). The Socket.IO app is app.mjs, shared with index.mjs.
// Configured by environment only:
//
//   PORT (3000)  HOST (all interfaces)  SWITCHYARD_NODE_ID (os.hostname(); the node tag of every sid, which
//   the balancer routes by)  REDIS_URL | NATS_URL (cluster bus; neither = in-memory, one node)
//   PING_INTERVAL_MS (25000)  PING_TIMEOUT_MS (20000)  SHUTDOWN_TIMEOUT_MS (10000)
//   SHUTDOWN_DRAIN_MS (0)
//   TRUST_FORWARDED_FOR (0: the per-address limits key on the TCP peer; n ≥ 1: on the n-th
//   X-Forwarded-For entry from the right, for a node reachable only through n proxies that each
//   append it — the balancer alone: 1)  ADDRESS_MAX_CONNECTIONS (10000)
//   ADDRESS_HANDSHAKES_PER_SECOND (1000)  ADDRESS_HANDSHAKE_BURST (10000)  (the server's
//   addressLimits; ADDRESS_LIMITS=off turns them off)
//
// Serves the demo page, /socket.io/, /healthz, /readyz (503 once shutting down or with the bus
// down) and /metrics. SIGTERM/SIGINT: not ready and no new handshakes at once, then after
// SHUTDOWN_DRAIN_MS the clients are closed (they reconnect through the balancer to another node),
// the adapter announces ADAPTER_CLOSE, the bus connections close, and the process exits 0 (1 if
// SHUTDOWN_TIMEOUT_MS was hit). Invalid environment: one message on stderr, exit code 2.
//
// stdout: `switchyard node <id> listening on http://<host>:<port> (<adapter> adapter)`, then
// `switchyard node <id> stopped (<signal>, <clean|forced> in <n> ms)`.
import { once } from "node:events";
import { hostname } from "node:os";
import { Server } from "@switchyard/server";
import { adapterKindOf, createPageServer, installDemo, makeAdapter } from "./app.mjs";

const EXIT_INVALID_CONFIG = 2;
const SIGNALS = ["SIGTERM", "SIGINT"];
const MAX_TIMER_MS = 2_147_483_647; // setTimeout's upper bound
const NODE_ID_PATTERN = /^[A-Za-z0-9][\w.-]{0,62}$/;
const MAX_FORWARDED_HOPS = 32; // the longest X-Forwarded-For chain the server reads
const MAX_LIMIT = 1_000_000_000;
const NATS_SCHEMES = new Set(["nats:", "tls:", "ws:", "wss:"]);

const config = readConfigOrExit(process.env);
const httpServer = await createPageServer();
const { adapter, closeAdapter } = await makeAdapter(config).catch((error) => {
  console.error(
    `switchyard node ${config.nodeId}: cannot connect the cluster bus: ${error.message}`,
  );
  process.exit(1);
});
const shutdownOptions = { timeoutMs: config.shutdownTimeoutMs, drainMs: config.shutdownDrainMs };
const io = new Server(httpServer, {
  nodeId: config.nodeId,
  adapter,
  connectionStateRecovery: {},
  pingInterval: config.pingIntervalMs,
  pingTimeout: config.pingTimeoutMs,
  health: true,
  metrics: true,
  // The server's own handler runs the bounded shutdown; `exit: false` leaves the exit to stop()
  // below, which first closes the bus connections (the server does not own them).
  shutdownOnSignal: { ...shutdownOptions, signals: SIGNALS, exit: false },
  addressLimits: config.addressLimits,
});
installDemo(io);

httpServer.listen(config.port, config.host);
try {
  await once(httpServer, "listening");
} catch (error) {
  console.error(`switchyard node ${config.nodeId}: cannot listen: ${error.message}`);
  await closeAdapter();
  process.exit(1);
}
const { address, port } = httpServer.address();
const shownHost = address.includes(":") ? `[${address}]` : address;
console.log(
  `switchyard node ${config.nodeId} listening on http://${shownHost}:${port} (${adapterKindOf(config, "memory")} adapter)`,
);

let stopping = false;
for (const signal of SIGNALS) process.on(signal, () => stop(signal));

function stop(signal) {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  const finish = (how, code) => {
    const ms = Date.now() - started;
    console.log(`switchyard node ${config.nodeId} stopped (${signal}, ${how} in ${ms} ms)`);
    process.exit(code);
  };
  // Whatever hangs (a bus that is down), the process ends shortly after the bound.
  setTimeout(() => finish("stuck", 1), config.shutdownTimeoutMs + 1_500).unref();
  // Shares the shutdown the server's own signal handler (registered first) already started.
  void io.shutdown(shutdownOptions).then(
    async (clean) => {
      await Promise.race([closeAdapter(), delay(1_000)]);
      finish(clean ? "clean" : "forced", clean ? 0 : 1);
    },
    (error) => {
      console.error(`switchyard node ${config.nodeId}: shutdown failed:`, error);
      finish("failed", 1);
    },
  );
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The configuration from `env`; on invalid values prints every problem and exits 2. */
function readConfigOrExit(env) {
  const problems = [];
  const text = (name) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const integer = (name, fallback, min, max) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (value >= min && value <= max) return value;
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  };
  const config = {
    port: integer("PORT", 3000, 0, 65_535),
    host: text("HOST"),
    nodeId: text("SWITCHYARD_NODE_ID") ?? hostname(),
    redisUrl: text("REDIS_URL"),
    natsUrl: text("NATS_URL"),
    pingIntervalMs: integer("PING_INTERVAL_MS", 25_000, 1, MAX_TIMER_MS),
    pingTimeoutMs: integer("PING_TIMEOUT_MS", 20_000, 1, MAX_TIMER_MS),
    shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", 10_000, 1, MAX_TIMER_MS - 1_000),
    shutdownDrainMs: integer("SHUTDOWN_DRAIN_MS", 0, 0, MAX_TIMER_MS),
    addressLimits: addressLimitsOf(text, integer, problems),
  };
  if (!NODE_ID_PATTERN.test(config.nodeId)) {
    problems.push(
      `SWITCHYARD_NODE_ID must be 1-63 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(config.nodeId)}`,
    );
  }
  if (config.redisUrl !== undefined && !isUrl(config.redisUrl, new Set(["redis:", "rediss:"]))) {
    problems.push(
      `REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(config.redisUrl)}`,
    );
  }
  if (config.natsUrl !== undefined && !config.natsUrl.split(",").every(isNatsServer)) {
    problems.push(
      `NATS_URL must be a comma-separated list of nats://host:port (or host:port), got ${JSON.stringify(config.natsUrl)}`,
    );
  }
  if (config.redisUrl !== undefined && config.natsUrl !== undefined) {
    problems.push("set REDIS_URL or NATS_URL, not both (one cluster bus per node)");
  }
  if (config.shutdownDrainMs >= config.shutdownTimeoutMs) {
    problems.push(
      `SHUTDOWN_DRAIN_MS (${config.shutdownDrainMs}) must be below SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs})`,
    );
  }
  if (problems.length === 0) return config;
  console.error(`switchyard node: invalid environment:\n  ${problems.join("\n  ")}`);
  process.exit(EXIT_INVALID_CONFIG);
}

/** The server's addressLimits from ADDRESS_LIMITS, ADDRESS_* and TRUST_FORWARDED_FOR. */
function addressLimitsOf(text, integer, problems) {
  const limits = {
    trustForwardedFor: integer("TRUST_FORWARDED_FOR", 0, 0, MAX_FORWARDED_HOPS),
    maxConnections: integer("ADDRESS_MAX_CONNECTIONS", 10_000, 1, MAX_LIMIT),
    handshakesPerSecond: integer("ADDRESS_HANDSHAKES_PER_SECOND", 1000, 1, MAX_LIMIT),
    handshakeBurst: integer("ADDRESS_HANDSHAKE_BURST", 10_000, 1, MAX_LIMIT),
  };
  const mode = text("ADDRESS_LIMITS") ?? "on";
  if (mode === "off") return false;
  if (mode !== "on") {
    problems.push(`ADDRESS_LIMITS must be "on" or "off", got ${JSON.stringify(mode)}`);
  }
  return limits;
}

function isUrl(text, schemes) {
  try {
    const url = new URL(text);
    return schemes.has(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

function isNatsServer(entry) {
  const trimmed = entry.trim();
  return isUrl(trimmed.includes("://") ? trimmed : `nats://${trimmed}`, NATS_SCHEMES);
}
