// Redis / NATS for tests. Resolution order per service:
//   1. REDIS_URL / NATS_URL from the environment (cannot be stopped or restarted);
//   2. a local redis-server / nats-server binary (PATH, /usr/sbin, /usr/local/sbin,
//      /usr/local/bin) spawned on a free 127.0.0.1 port;
//   3. testcontainers, when it is importable and a container engine answers.
// Under CI an unresolvable service is an error; elsewhere it is `undefined` (tests skip).
// PostgreSQL (for the official postgres adapter) is resolved on demand by its tests:
// `resolvePostgres()` (postgres-service.ts: POSTGRES_URL, else initdb + postgres in a temp dir).
// NATS comes in two builds (`flavor`): the distribution's nats-server (Debian: 2.9), and the
// current 2.x that .ci/run builds from the Go module proxy: NATS_CURRENT_URL, then the binary at
// NATS_SERVER_CURRENT or a `nats-server-current` in the same directories, then a container.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import { startBinaryService } from "./binary-service.js";
import {
  detectEngine,
  loadTestcontainers,
  startContainerService,
  type TestcontainersLoader,
} from "./container-service.js";
import { defaultBinDirs, type Env, isCi } from "./service-env.js";
import {
  DEFAULT_PORTS,
  type ServiceKind,
  type StartOptions,
  type TestService,
} from "./service-types.js";

export type { TestcontainersLoader, TestcontainersModule } from "./container-service.js";
export type { PostgresService } from "./postgres-service.js";
export { resolvePostgres } from "./postgres-service.js";
export type { Env } from "./service-env.js";
export { defaultBinDirs, EXTRA_BIN_DIRS, isCi } from "./service-env.js";
export type { ServiceKind, ServiceSource, StartOptions, TestService } from "./service-types.js";

export const BINARY_NAMES: Readonly<Record<ServiceKind, string>> = {
  redis: "redis-server",
  nats: "nats-server",
};

export const ENV_VARS: Readonly<Record<ServiceKind, string>> = {
  redis: "REDIS_URL",
  nats: "NATS_URL",
};

/** Which build of the server: the distribution's (default) or the current nats-server 2.x. */
export type ServiceFlavor = "default" | "current";

/** How the current nats-server is found (see the file comment). */
export const CURRENT_NATS = {
  urlVar: "NATS_CURRENT_URL",
  binaryVar: "NATS_SERVER_CURRENT",
  binaryName: "nats-server-current",
  image: "nats:2-alpine",
} as const;

export interface LocalServiceOptions extends StartOptions {
  /** Which build (only NATS has a "current" one). Default: "default". */
  flavor?: ServiceFlavor;
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

/** Absolute path of the kind's server binary (or `name`) in `binDirs`, if one is executable. */
export function findBinary(
  kind: ServiceKind,
  binDirs: readonly string[],
  name: string = BINARY_NAMES[kind],
): string | undefined {
  for (const dir of binDirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What a flavor of a service is looked for as. */
interface Spec {
  kind: ServiceKind;
  /** The service's name in messages ("nats", "nats (current)"). */
  label: string;
  urlVar: string;
  binaryName: string;
  /** The variable that names the binary's path, if the flavor has one. */
  binaryVar: string | undefined;
  image: string | undefined;
}

function specOf(kind: ServiceKind, flavor: ServiceFlavor = "default"): Spec {
  if (flavor === "current") {
    if (kind !== "nats") throw new Error(`${kind} has no "current" flavor`);
    const { urlVar, binaryVar, binaryName, image } = CURRENT_NATS;
    return { kind, label: "nats (current)", urlVar, binaryName, binaryVar, image };
  }
  const binaryName = BINARY_NAMES[kind];
  return {
    kind,
    label: kind,
    urlVar: ENV_VARS[kind],
    binaryName,
    binaryVar: undefined,
    image: undefined,
  };
}

/** Service described by REDIS_URL / NATS_URL, or undefined when the variable is unset/empty. */
export function serviceFromEnv(
  kind: ServiceKind,
  env: Env,
  flavor: ServiceFlavor = "default",
): TestService | undefined {
  const variable = specOf(kind, flavor).urlVar;
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

/** The binary of `spec`: the path its variable names, else its name in the bin dirs. */
function locateBinary(
  spec: Spec,
  options: LocalServiceOptions,
  tried: string[],
): string | undefined {
  const env = options.env ?? process.env;
  const explicit = spec.binaryVar === undefined ? undefined : env[spec.binaryVar]?.trim();
  if (explicit !== undefined && explicit !== "") {
    if (isExecutable(explicit)) return explicit;
    tried.push(`${spec.binaryVar}=${explicit} is not an executable file`);
    return undefined;
  }
  const binDirs = options.binDirs ?? defaultBinDirs(env);
  const found = findBinary(spec.kind, binDirs, spec.binaryName);
  if (found === undefined) {
    const unset = spec.binaryVar === undefined ? "" : `${spec.binaryVar} not set and `;
    tried.push(`${unset}no ${spec.binaryName} binary in [${binDirs.join(", ")}]`);
  }
  return found;
}

async function startLocal(kind: ServiceKind, options: LocalServiceOptions): Promise<Attempt> {
  const spec = specOf(kind, options.flavor);
  const tried: string[] = [];
  const binary = locateBinary(spec, options, tried);
  if (binary !== undefined) {
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
      return { service: await startContainerService(kind, engine.module, options, spec.image) };
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
  const label = specOf(kind, options.flavor).label;
  throw new Error(`could not start a local ${label}: ${attempt.tried.join("; ")}`);
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
  const spec = specOf(kind, options.flavor);
  const fromEnv = serviceFromEnv(kind, env, options.flavor);
  if (fromEnv !== undefined) return fromEnv;
  const attempt = await startLocal(kind, { ...options, env });
  if ("service" in attempt) return attempt.service;
  const tried = [`${spec.urlVar} not set`, ...attempt.tried];
  const message = `${spec.label} is unavailable for tests. Tried: ${tried.join("; ")}`;
  if (isCi(env)) {
    throw new Error(
      `${message}. CI requires ${spec.label}: set ${spec.urlVar}, install ${spec.binaryName} ` +
        "(see .ci/run), or provide a container engine.",
    );
  }
  options.onUnavailable?.(message);
  return undefined;
}
