// Debug logs of @switchyard/sticky through the `debug` package (`DEBUG=switchyard:sticky`): each
// request's route (by sid, by cookie, a new session, refused), workers forked and exited,
// upstreams turning healthy or not. Off, a per-request line costs one `enabled` check.
import createDebug from "debug";

/** A debug logger: a printf-style format; `enabled` says whether it prints. */
export interface Logger {
  (format: string, ...args: unknown[]): void;
  readonly enabled: boolean;
}

/** The sticky routers (cluster primary, balancer). */
export const stickyLog: Logger = createDebug("switchyard:sticky");
