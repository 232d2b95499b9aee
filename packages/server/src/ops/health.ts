// Liveness and readiness (issue 9): `/healthz` answers 200 while the process serves HTTP;
// `/readyz` answers 200 while the server accepts connections and every bus adapter reports its
// bus connected (and every user check passes), 503 otherwise (e.g. once shutdown started).
import type { IncomingMessage, ServerResponse } from "node:http";

/** A readiness check: false (or a throw) makes `/readyz` answer 503. */
export type ReadinessCheck = () => boolean;

/** The `health` option of the server. */
export interface HealthOptions {
  /** Path of the liveness endpoint. @default "/healthz" */
  healthPath?: string;
  /** Path of the readiness endpoint. @default "/readyz" */
  readyPath?: string;
  /** Extra readiness checks (e.g. `() => redis.status === "ready"`). @default [] */
  checks?: ReadinessCheck[];
}

/** Health options with the defaults applied. */
export interface ResolvedHealthOptions {
  healthPath: string;
  readyPath: string;
  checks: ReadinessCheck[];
}

/** Default paths of the health endpoints. */
export const HEALTH_DEFAULTS: { readonly healthPath: string; readonly readyPath: string } = {
  healthPath: "/healthz",
  readyPath: "/readyz",
};

/** `true` → defaults; an object → defaults plus the given fields; false/undefined → off. */
export function resolveHealthOptions(
  option: boolean | HealthOptions | undefined,
): ResolvedHealthOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  return {
    healthPath: given.healthPath ?? HEALTH_DEFAULTS.healthPath,
    readyPath: given.readyPath ?? HEALTH_DEFAULTS.readyPath,
    checks: given.checks ?? [],
  };
}

/**
 * Whether an adapter's bus is connected. Adapters exposing a boolean `busConnected` or
 * `connected` (Redis) or a `connectionState` string (NATS: "connected" when up) are asked; any
 * other adapter (in-memory, or one that does not say) counts as connected. One whose
 * `historyReady` is false (a cluster adapter still opening its recovery history) does not.
 */
export function adapterConnected(adapter: unknown): boolean {
  if (typeof adapter !== "object" || adapter === null) return true;
  // A cluster adapter opening its recovery history (cluster-history-adapter.ts) is not ready yet.
  if (Reflect.get(adapter, "historyReady") === false) return false;
  const state: unknown = Reflect.get(adapter, "connectionState");
  if (typeof state === "string") return state === "connected";
  for (const key of ["busConnected", "connected"] as const) {
    if (key in adapter) {
      const value: unknown = Reflect.get(adapter, key);
      if (typeof value === "boolean") return value;
    }
  }
  return true;
}

/** Runs the checks; a throwing check counts as failed. */
export function checksPass(checks: readonly ReadinessCheck[]): boolean {
  for (const check of checks) {
    try {
      if (check() !== true) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Writes a small plain-text answer (no body for HEAD). */
export function respondText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
