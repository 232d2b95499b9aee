// Low-level TCP helpers for the test services: free ports, readiness probes, bounded polling.
import { createConnection, createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export const LOOPBACK = "127.0.0.1";

export type ServiceKind = "redis" | "nats";

/** Rejects with `message` if `promise` does not settle within `ms`. The timer is always cleared. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the kernel for a free port by listening on port 0 and closing again. */
export function getFreePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close((err) =>
        err || port === 0 ? reject(err ?? new Error("no port")) : resolve(port),
      );
    });
  });
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export function canBind(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Connects, optionally writes `send`, and resolves with the first CRLF-terminated line the peer
 * sends. Rejects on connection errors, early close or timeout.
 */
export function readFirstLine(
  host: string,
  port: number,
  send: string | undefined,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffer = "";
    let settled = false;
    const finish = (err: Error | undefined, line?: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (err) reject(err);
      else resolve(line ?? "");
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no reply from ${host}:${port}`)));
    socket.once("error", (err) => finish(err));
    socket.once("close", () => finish(new Error(`${host}:${port} closed before replying`)));
    socket.once("connect", () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      const end = buffer.indexOf("\r\n");
      if (end >= 0) finish(undefined, buffer.slice(0, end));
    });
  });
}

/** True when a TCP connection to host:port can be opened. */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** One readiness probe: redis must answer PING with +PONG; NATS must greet with `INFO {`. */
export async function probeService(
  kind: ServiceKind,
  host: string,
  port: number,
  timeoutMs = 1_000,
): Promise<boolean> {
  try {
    const line = await readFirstLine(
      host,
      port,
      kind === "redis" ? "PING\r\n" : undefined,
      timeoutMs,
    );
    return kind === "redis" ? line.startsWith("+PONG") : line.startsWith("INFO {");
  } catch {
    return false;
  }
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each attempt; a returned string aborts polling with that message. */
  abortReason?: () => string | undefined;
}

/** Calls `check` until it resolves true; throws `message` (plus abort reason) when out of time. */
export async function pollUntil(
  check: () => Promise<boolean>,
  message: string,
  options: PollOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new Error(`${message}: ${aborted}`);
    if (await check()) return;
    if (Date.now() >= deadline)
      throw new Error(`${message} (timed out after ${options.timeoutMs} ms)`);
    await delay(interval);
  }
}

/** Waits until the service on host:port answers its protocol greeting. */
export function waitForService(
  kind: ServiceKind,
  host: string,
  port: number,
  options: PollOptions,
): Promise<void> {
  return pollUntil(
    () => probeService(kind, host, port),
    `${kind} on ${host}:${port} did not become ready`,
    options,
  );
}

/** Waits until nothing listens on the loopback port any more. */
export function waitForPortFree(port: number, timeoutMs: number): Promise<void> {
  return pollUntil(() => canBind(port), `port ${port} was not released`, { timeoutMs });
}
