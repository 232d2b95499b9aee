// Active health checks for the balancer's upstreams: a GET on each upstream's health path every
// interval, on a fresh connection; `fall` failures take it out, `rise` successes put it back.
import { request } from "node:http";
import { stickyLog } from "../log.js";

/** Health check settings. */
export interface HealthCheckOptions {
  /** Path requested on each upstream; a 2xx answer is healthy. @default "/readyz" */
  path?: string;
  /** Time between checks of one upstream. @default 2000 */
  intervalMs?: number;
  /** A check slower than this fails. @default 1000 */
  timeoutMs?: number;
  /** Consecutive failures that take a healthy upstream out. @default 2 */
  fall?: number;
  /** Consecutive successes that put an unhealthy upstream back. @default 1 */
  rise?: number;
}

/** Health check settings with every default filled in. */
export type ResolvedHealthCheck = Required<HealthCheckOptions>;

/** The defaults of {@link HealthCheckOptions}. */
export const DEFAULT_HEALTH_CHECK: Readonly<ResolvedHealthCheck> = {
  path: "/readyz",
  intervalMs: 2_000,
  timeoutMs: 1_000,
  fall: 2,
  rise: 1,
};

/** What the checker needs to know about, and may change on, one upstream. */
export interface CheckedUpstream {
  readonly host: string;
  readonly port: number;
  healthy: boolean;
  /** Consecutive results against the current state (reset when the state flips). */
  streak: number;
}

/** Checks every upstream on a timer until stopped; `onChange` hears every flip. */
export class HealthChecker {
  readonly #options: ResolvedHealthCheck;
  readonly #upstreams: readonly CheckedUpstream[];
  readonly #onChange: (upstream: CheckedUpstream) => void;
  #timer: NodeJS.Timeout | undefined;
  readonly #running = new Set<CheckedUpstream>();

  constructor(
    options: ResolvedHealthCheck,
    upstreams: readonly CheckedUpstream[],
    onChange: (upstream: CheckedUpstream) => void,
  ) {
    this.#options = options;
    this.#upstreams = upstreams;
    this.#onChange = onChange;
  }

  /** Runs a first round now, then one per interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#round();
    this.#timer = setInterval(() => this.#round(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Passive signal from the proxy: the upstream refused a connection. Counts as a failure. */
  reportFailure(upstream: CheckedUpstream): void {
    this.#record(upstream, false);
  }

  #round(): void {
    for (const upstream of this.#upstreams) {
      if (this.#running.has(upstream)) continue;
      this.#running.add(upstream);
      probe(upstream, this.#options, (ok) => {
        this.#running.delete(upstream);
        if (this.#timer !== undefined) this.#record(upstream, ok);
      });
    }
  }

  #record(upstream: CheckedUpstream, ok: boolean): void {
    if (ok === upstream.healthy) {
      upstream.streak = 0;
      return;
    }
    upstream.streak++;
    const needed = upstream.healthy ? this.#options.fall : this.#options.rise;
    if (upstream.streak < needed) return;
    upstream.healthy = ok;
    upstream.streak = 0;
    stickyLog.log(
      "upstream %s:%d is %s",
      upstream.host,
      upstream.port,
      ok ? "healthy" : "unhealthy",
    );
    this.#onChange(upstream);
  }
}

function probe(
  upstream: CheckedUpstream,
  options: ResolvedHealthCheck,
  done: (ok: boolean) => void,
): void {
  let settled = false;
  const settle = (ok: boolean): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(ok);
  };
  const req = request({
    agent: false,
    host: upstream.host,
    port: upstream.port,
    path: options.path,
    method: "GET",
    headers: { connection: "close" },
  });
  const timer = setTimeout(() => {
    req.destroy();
    settle(false);
  }, options.timeoutMs);
  req.on("response", (res) => {
    res.resume();
    const status = res.statusCode ?? 0;
    settle(status >= 200 && status < 300);
  });
  req.on("error", () => settle(false));
  req.end();
}
