// Redis / NATS for tests. Resolution order per service:
//   1. REDIS_URL / NATS_URL from the environment (cannot be stopped or restarted);
//   2. a local redis-server / nats-server binary (PATH, /usr/sbin, /usr/local/sbin,
//      /usr/local/bin) spawned on a free 127.0.0.1 port;
//   3. testcontainers, when it is importable and a container engine answers.
// Under CI an unresolvable service is an error; elsewhere it is `undefined` (tests skip).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { startBinaryService } from "./binary-service.js";
import {
  detectEngine,
  loadTestcontainers,
  startContainerService,
  type TestcontainersLoader,
} from "./container-service.js";
import {
  DEFAULT_PORTS,
  type ServiceKind,
  type StartOptions,
  type TestService,
} from "./service-types.js";

export type { TestcontainersLoader, TestcontainersModule } from "./container-service.js";
export type { ServiceKind, ServiceSource, StartOptions, TestService } from "./service-types.js";

export type Env = Readonly<Record<string, string | undefined>>;

// Variables read through constants: Biome prefers `env.CI`, tsc (index signature) `env["CI"]`.
const CI_VAR = "CI";
const PATH_VAR = "PATH";

export const EXTRA_BIN_DIRS: readonly string[] = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];

export const BINARY_NAMES: Readonly<Record<ServiceKind, string>> = {
  redis: "redis-server",
  nats: "nats-server",
};

export const ENV_VARS: Readonly<Record<ServiceKind, string>> = {
  redis: "REDIS_URL",
  nats: "NATS_URL",
};

export interface LocalServiceOptions extends StartOptions {
  /** Directories searched for the binary. Default: `defaultBinDirs(env)`. */
  binDirs?: readonly string[];
  /** Only used for PATH when `binDirs` is not given. Default: process.env. */
  env?: Env;
  /** How to import testcontainers. Default: dynamic import("testcontainers"). */
  loadTestcontainers?: TestcontainersLoader;
}

export interface ResolveOptions extends LocalServiceOptions {
  /** Called with the explanation when a service is unavailable outside CI. */
  onUnavailable?: (message: string) => void;
}

/** CI is on when the CI variable is set to anything but "", "false" or "0". */
export function isCi(env: Env = process.env): boolean {
  const value = env[CI_VAR];
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/** PATH entries followed by the sbin/local dirs where Debian and friends put servers. */
export function defaultBinDirs(env: Env = process.env): string[] {
  const fromPath = (env[PATH_VAR] ?? "").split(delimiter).filter((dir) => dir !== "");
  return [...new Set([...fromPath, ...EXTRA_BIN_DIRS])];
}

/** Absolute path of the kind's server binary in `binDirs`, if any is an executable file. */
export function findBinary(kind: ServiceKind, binDirs: readonly string[]): string | undefined {
  for (const dir of binDirs) {
    const candidate = join(dir, BINARY_NAMES[kind]);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Service described by REDIS_URL / NATS_URL, or undefined when the variable is unset/empty. */
export function serviceFromEnv(kind: ServiceKind, env: Env): TestService | undefined {
  const variable = ENV_VARS[kind];
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === "") return undefined;
  // NATS_URL may list several servers; the first one is the one we describe.
  const first = raw.split(",")[0] ?? raw;
  let parsed: URL;
  try {
    parsed = new URL(first.includes("://") ? first : `${kind}://${first}`);
  } catch {
    throw new Error(`${variable}=${raw} is not a valid URL`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = parsed.port === "" ? DEFAULT_PORTS[kind] : Number(parsed.port);
  const refuse = (action: string) => async (): Promise<void> => {
    throw new Error(
      `cannot ${action} the ${kind} service from ${variable} (${raw}): env-provided services ` +
        `are not managed by the tests. Use startLocalService("${kind}") for fault tests.`,
    );
  };
  return {
    kind,
    url: raw,
    host,
    port,
    source: "env",
    dataDir: undefined,
    stop: refuse("stop"),
    start: refuse("restart"),
    close: async () => undefined,
  };
}

type Attempt = { service: TestService } | { tried: string[] };

async function startLocal(kind: ServiceKind, options: LocalServiceOptions): Promise<Attempt> {
  const binDirs = options.binDirs ?? defaultBinDirs(options.env ?? process.env);
  const tried: string[] = [];
  const binary = findBinary(kind, binDirs);
  if (binary === undefined) {
    tried.push(`no ${BINARY_NAMES[kind]} binary in [${binDirs.join(", ")}]`);
  } else {
    try {
      return { service: await startBinaryService(kind, binary, options) };
    } catch (err) {
      tried.push(`${binary} failed to start: ${(err as Error).message}`);
    }
  }
  const engine = await detectEngine(options.loadTestcontainers ?? loadTestcontainers);
  if ("reason" in engine) {
    tried.push(engine.reason);
  } else {
    try {
      return { service: await startContainerService(kind, engine.module, options) };
    } catch (err) {
      tried.push(`container failed to start: ${(err as Error).message}`);
    }
  }
  return { tried };
}

/**
 * Starts a private, stoppable instance (binary, else container). Never looks at REDIS_URL /
 * NATS_URL: fault tests that stop/restart the server must use this. Throws if impossible.
 */
export async function startLocalService(
  kind: ServiceKind,
  options: LocalServiceOptions = {},
): Promise<TestService> {
  const attempt = await startLocal(kind, options);
  if ("service" in attempt) return attempt.service;
  throw new Error(`could not start a local ${kind}: ${attempt.tried.join("; ")}`);
}

/**
 * env var → binary → container. Under CI (from `options.env`, default process.env) an
 * unavailable service rejects with a message naming the service and everything tried;
 * otherwise it resolves `undefined`.
 */
export async function resolveService(
  kind: ServiceKind,
  options: ResolveOptions = {},
): Promise<TestService | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = serviceFromEnv(kind, env);
  if (fromEnv !== undefined) return fromEnv;
  const attempt = await startLocal(kind, { ...options, env });
  if ("service" in attempt) return attempt.service;
  const tried = [`${ENV_VARS[kind]} not set`, ...attempt.tried];
  const message = `${kind} is unavailable for tests. Tried: ${tried.join("; ")}`;
  if (isCi(env)) {
    throw new Error(
      `${message}. CI requires ${kind}: set ${ENV_VARS[kind]}, install ${BINARY_NAMES[kind]} ` +
        "(see .ci/run), or provide a container engine.",
    );
  }
  options.onUnavailable?.(message);
  return undefined;
}
