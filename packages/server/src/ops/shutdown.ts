// Graceful shutdown (issue 9): mark not-ready, refuse new Engine.IO handshakes, optionally wait
// for load balancers to notice, then close (adapters say ADAPTER_CLOSE; sessions are closed at the
// transport level, so official clients see "transport close" and reconnect elsewhere), bounded.

/** Options of `io.shutdown()`. */
export interface ShutdownOptions {
  /** Upper bound of the whole shutdown; then remaining HTTP connections are destroyed. @default 10000 */
  timeoutMs?: number;
  /** Milliseconds between "not ready" and closing the clients (let balancers see 503). @default 0 */
  drainMs?: number;
}

/** The `shutdownOnSignal` option: shut down gracefully on a signal, then exit. */
export interface ShutdownOnSignalOptions extends ShutdownOptions {
  /** Signals to handle. @default ["SIGTERM"] */
  signals?: NodeJS.Signals[];
  /** Call `process.exit(code)` when done (0, or 1 when the bound was hit). @default true */
  exit?: boolean;
}

/** Default values of the shutdown options. */
export const SHUTDOWN_DEFAULTS: { readonly timeoutMs: number; readonly drainMs: number } = {
  timeoutMs: 10_000,
  drainMs: 0,
};

/** The steps a shutdown drives (provided by the server). */
export interface ShutdownSteps {
  /** Mark not-ready and refuse new handshakes. */
  stopAccepting(): void;
  /** Close sockets, adapters (ADAPTER_CLOSE), sessions and the HTTP server. */
  close(): Promise<void>;
  /** Destroy whatever HTTP connections remain (the bound was hit). */
  forceClose(): void;
}

/** Resolves with true when `steps` completed within the bound, false when it was forced. */
export async function runShutdown(
  steps: ShutdownSteps,
  options: ShutdownOptions = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? SHUTDOWN_DEFAULTS.timeoutMs;
  const drainMs = options.drainMs ?? SHUTDOWN_DEFAULTS.drainMs;
  steps.stopAccepting();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const work = (async (): Promise<true> => {
    if (drainMs > 0) await delay(Math.min(drainMs, timeoutMs));
    await steps.close();
    return true;
  })();
  const done = await Promise.race([work, bound]);
  clearTimeout(timer);
  if (!done) steps.forceClose();
  return done;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Installs signal handlers that run `shutdown` once, then exit (unless `exit: false`). Returns
 * the function that removes them.
 */
export function onShutdownSignal(
  shutdown: (options: ShutdownOptions) => Promise<boolean>,
  options: ShutdownOnSignalOptions,
): () => void {
  const signals = options.signals ?? ["SIGTERM"];
  let started = false;
  const handler = (): void => {
    if (started) return;
    started = true;
    const timeoutMs = options.timeoutMs ?? SHUTDOWN_DEFAULTS.timeoutMs;
    // Whatever happens, the process ends within the bound (plus a margin for the exit itself).
    if (options.exit !== false) setTimeout(() => process.exit(1), timeoutMs + 1000).unref();
    void shutdown(options).then(
      (clean) => {
        if (options.exit !== false) process.exit(clean ? 0 : 1);
      },
      () => {
        if (options.exit !== false) process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
