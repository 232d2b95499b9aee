// Shared shape of a test service (redis / NATS), whichever way it was obtained.
import type { ServiceKind } from "./net-probe.js";

export type { ServiceKind };
export type ServiceSource = "env" | "binary" | "container";

export interface TestService {
  readonly kind: ServiceKind;
  /** `redis://host:port` or `nats://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly source: ServiceSource;
  /** NATS JetStream store directory for binary-started NATS; removed by close(). */
  readonly dataDir: string | undefined;
  /** Stops the server (SIGTERM, then SIGKILL) and resolves once the port is free. Idempotent. */
  stop(): Promise<void>;
  /** Restarts a stopped server on the SAME port. Idempotent while running. */
  start(): Promise<void>;
  /** Final cleanup: stop() and remove temp dirs. Later start() calls reject. */
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Redis only: persist with an append-only file (fsync on every write) in a private directory,
   * so that a restart keeps the data (the default runs without persistence).
   */
  persistent?: boolean;
  /** Bound for "accepts TCP and answers" after each (re)start. Default 15 s. */
  startupTimeoutMs?: number;
  /** Bound for SIGTERM before SIGKILL, and for the port to be released. Default 5 s. */
  stopTimeoutMs?: number;
}

export const DEFAULT_PORTS: Readonly<Record<ServiceKind, number>> = { redis: 6379, nats: 4222 };

export function serviceUrl(kind: ServiceKind, host: string, port: number): string {
  return `${kind}://${host}:${port}`;
}
