// Command-line and environment options of `switchyard-balancer`, turned into BalancerOptions.
// Pure: argv and env in, options (or a usage error) out; flags win over the environment.
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors.js";
import type { StickyLimits } from "../front/limits.js";
import type { BalancerOptions, BalancerUpstream, NewSessionPolicy } from "./balancer-options.js";
import type { HealthCheckOptions } from "./health-check.js";

/** Usage text of the CLI. */
export const USAGE = `Usage: switchyard-balancer --upstream <id>=<url> [--upstream ...] [options]

Routes Socket.IO requests to the node whose id is tagged in the sid; new sessions by policy.

  --port <n>                 listen port (env SWITCHYARD_BALANCER_PORT, default 8080)
  --host <addr>              listen address (env SWITCHYARD_BALANCER_HOST, default all)
  --upstream <id>=<url>      a node: its nodeId and http URL; repeat per node
                             (env SWITCHYARD_UPSTREAMS="id=url,id=url")
  --new-sessions <policy>    least-connections | consistent-hash (env SWITCHYARD_NEW_SESSIONS)
  --cookie <name>            read the sid from this cookie when the query has none
  --health-path <path>       health check path (default /readyz); --no-health-check disables
  --health-interval-ms <n>   --health-timeout-ms <n>   --health-fall <n>   --health-rise <n>
  --idle-timeout-ms <n>      default 60000 (keep above pingInterval + pingTimeout)
  --drain-timeout-ms <n>     default 10000
  --max-free-sockets <n>     idle keep-alive connections kept per upstream (default 64)
  --trust-forwarded-for      trust incoming X-Forwarded-For/-Proto (behind your own proxy;
                             env SWITCHYARD_TRUST_FORWARDED_FOR=1); the address limits then
                             read the client address from X-Forwarded-For
Per client address (429 past them; defaults 10000, 1000, 10000):
  --max-connections-per-address <n>   requests in flight plus open WebSocket tunnels
  --handshakes-per-second <n>         --handshake-burst <n>     new sessions
  --no-address-limits                 turn the per-address limits off
Request limits:
  --max-header-bytes <n>     --max-header-count <n>     --headers-timeout-ms <n>
  --request-timeout-ms <n>   --keep-alive-timeout-ms <n>   --max-pipelined-requests <n>
  --help

Print a configuration for another router instead of running (to stdout; tags are computed
from the upstream ids, the other flags above shape it):
  --print <format>           nginx | haproxy | haproxy-map | httproute | helm-values
  --new-sessions-url <url>   httproute: http://<service>:<port> of the ready nodes (required)
  --route-name <name>        httproute: metadata.name (default switchyard)
`;

/** What the CLI should do. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "run"; options: BalancerOptions }
  | PrintCommand;

/** Formats of `--print`. */
export const PRINT_FORMATS = [
  "nginx",
  "haproxy",
  "haproxy-map",
  "httproute",
  "helm-values",
] as const;

/** One of {@link PRINT_FORMATS}. */
export type PrintFormat = (typeof PRINT_FORMATS)[number];

/** `--print`: write another router's configuration for these options, then exit. */
export interface PrintCommand {
  kind: "print";
  format: PrintFormat;
  options: BalancerOptions;
  /** httproute: the Service of the ready nodes, `http://<service>:<port>`. */
  newSessionsUrl?: string;
  /** httproute: the route's name. */
  routeName: string;
}

const INTEGER_FLAGS = [
  "port",
  "health-interval-ms",
  "health-timeout-ms",
  "idle-timeout-ms",
  "drain-timeout-ms",
  "health-fall",
  "health-rise",
  "max-free-sockets",
  "max-header-bytes",
  "max-header-count",
  "headers-timeout-ms",
  "request-timeout-ms",
  "keep-alive-timeout-ms",
  "max-pipelined-requests",
  "max-connections-per-address",
  "handshakes-per-second",
  "handshake-burst",
] as const;

/** Parses argv (without node and script) and env; throws {@link InvalidArgumentError}. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        host: { type: "string" },
        upstream: { type: "string", multiple: true },
        "new-sessions": { type: "string" },
        cookie: { type: "string" },
        "health-path": { type: "string" },
        "no-health-check": { type: "boolean" },
        "trust-forwarded-for": { type: "boolean" },
        "no-address-limits": { type: "boolean" },
        help: { type: "boolean" },
        print: { type: "string" },
        "new-sessions-url": { type: "string" },
        "route-name": { type: "string" },
        ...Object.fromEntries(INTEGER_FLAGS.map((flag) => [flag, { type: "string" as const }])),
      },
    }));
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  if (values["help"] === true) return { kind: "help" };
  const int = (flag: (typeof INTEGER_FLAGS)[number], fallback?: string): number | undefined => {
    const raw = values[flag] ?? fallback;
    if (typeof raw !== "string") return undefined;
    if (!/^\d+$/.test(raw))
      throw new InvalidArgumentError(`--${flag} must be an integer, got ${raw}`);
    return Number(raw);
  };
  const upstreamFlags = values["upstream"];
  const upstreamTexts = Array.isArray(upstreamFlags)
    ? upstreamFlags
    : (env["SWITCHYARD_UPSTREAMS"] ?? "").split(",").filter((text) => text.trim() !== "");
  const options: BalancerOptions = {
    port: int("port", env["SWITCHYARD_BALANCER_PORT"]) ?? 8080,
    upstreams: upstreamTexts.map(parseUpstream),
    healthCheck: healthCheckOf(values, int),
    limits: limitsOf(int),
  };
  const addressLimits = addressLimitsOf(values, int);
  if (addressLimits !== undefined) options.addressLimits = addressLimits;
  const host = str(values["host"]) ?? env["SWITCHYARD_BALANCER_HOST"];
  if (host !== undefined && host !== "") options.host = host;
  const policy = str(values["new-sessions"]) ?? env["SWITCHYARD_NEW_SESSIONS"];
  if (policy !== undefined) options.newSessions = policy as NewSessionPolicy;
  const cookie = str(values["cookie"]);
  if (cookie !== undefined) options.cookie = cookie;
  const idle = int("idle-timeout-ms");
  if (idle !== undefined) options.idleTimeoutMs = idle;
  const drain = int("drain-timeout-ms");
  if (drain !== undefined) options.drainTimeoutMs = drain;
  const freeSockets = int("max-free-sockets");
  if (freeSockets !== undefined) options.maxFreeSocketsPerUpstream = freeSockets;
  if (values["trust-forwarded-for"] === true || envFlag(env, "SWITCHYARD_TRUST_FORWARDED_FOR")) {
    options.trustForwardedFor = true;
  }
  const print = str(values["print"]);
  if (print === undefined) return { kind: "run", options };
  return printCommand(print, options, values);
}

function printCommand(
  format: string,
  options: BalancerOptions,
  values: Record<string, unknown>,
): PrintCommand {
  if (!(PRINT_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidArgumentError(
      `--print must be one of ${PRINT_FORMATS.join(", ")}, got ${format}`,
    );
  }
  const command: PrintCommand = {
    kind: "print",
    format: format as PrintFormat,
    options,
    routeName: str(values["route-name"]) ?? "switchyard",
  };
  const newSessionsUrl = str(values["new-sessions-url"]);
  if (newSessionsUrl !== undefined) command.newSessionsUrl = newSessionsUrl;
  if (format === "httproute" && newSessionsUrl === undefined) {
    throw new InvalidArgumentError("--print httproute needs --new-sessions-url");
  }
  return command;
}

/** Parses one `id=url` pair. */
export function parseUpstream(text: string): BalancerUpstream {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new InvalidArgumentError(`--upstream must be <id>=<url>, got ${text}`);
  }
  return { id: text.slice(0, eq).trim(), url: text.slice(eq + 1).trim() };
}

/** A boolean variable: `1`/`true` → true, unset, empty, `0`/`false` → false, else an error. */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase() ?? "";
  if (raw === "1" || raw === "true") return true;
  if (raw === "" || raw === "0" || raw === "false") return false;
  throw new InvalidArgumentError(`${name} must be 1, true, 0 or false, got ${env[name]}`);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

type IntFlag = (flag: (typeof INTEGER_FLAGS)[number]) => number | undefined;

function healthCheckOf(values: Record<string, unknown>, int: IntFlag): HealthCheckOptions | false {
  if (values["no-health-check"] === true) return false;
  const check: HealthCheckOptions = {};
  const path = str(values["health-path"]);
  if (path !== undefined) check.path = path;
  const interval = int("health-interval-ms");
  if (interval !== undefined) check.intervalMs = interval;
  const timeout = int("health-timeout-ms");
  if (timeout !== undefined) check.timeoutMs = timeout;
  const fall = int("health-fall");
  if (fall !== undefined) check.fall = fall;
  const rise = int("health-rise");
  if (rise !== undefined) check.rise = rise;
  return check;
}

function limitsOf(int: IntFlag): StickyLimits {
  const limits: StickyLimits = {};
  const bytes = int("max-header-bytes");
  if (bytes !== undefined) limits.maxHeaderBytes = bytes;
  const count = int("max-header-count");
  if (count !== undefined) limits.maxHeaderCount = count;
  const headers = int("headers-timeout-ms");
  if (headers !== undefined) limits.headersTimeoutMs = headers;
  const request = int("request-timeout-ms");
  if (request !== undefined) limits.requestTimeoutMs = request;
  const keepAlive = int("keep-alive-timeout-ms");
  if (keepAlive !== undefined) limits.keepAliveTimeoutMs = keepAlive;
  const pipelined = int("max-pipelined-requests");
  if (pipelined !== undefined) limits.maxPipelinedRequests = pipelined;
  return limits;
}

type AddressLimits = Exclude<BalancerOptions["addressLimits"], undefined>;

/** The `addressLimits` of the flags; undefined when none is given (the defaults). */
function addressLimitsOf(values: Record<string, unknown>, int: IntFlag): AddressLimits | undefined {
  const given = [
    "max-connections-per-address",
    "handshakes-per-second",
    "handshake-burst",
  ] as const;
  if (values["no-address-limits"] === true) {
    const clash = given.find((flag) => values[flag] !== undefined);
    if (clash !== undefined) {
      throw new InvalidArgumentError(`--no-address-limits and --${clash} contradict each other`);
    }
    return false;
  }
  const limits: Exclude<AddressLimits, false> = {};
  const connections = int("max-connections-per-address");
  if (connections !== undefined) limits.maxConnections = connections;
  const rate = int("handshakes-per-second");
  if (rate !== undefined) limits.handshakesPerSecond = rate;
  const burst = int("handshake-burst");
  if (burst !== undefined) limits.handshakeBurst = burst;
  return Object.keys(limits).length === 0 ? undefined : limits;
}
