// Debug logs of @switchyard/sticky through the `debug` package (`DEBUG=switchyard:sticky`): each
// request's route (by sid, by cookie, a new session, refused), workers forked and exited,
// upstreams turning healthy or not. Off, a per-request line costs one `enabled` read.
import { Logger } from "@switchyard/server";

/** The sticky routers (cluster primary, balancer). */
export const stickyLog: Logger = new Logger("switchyard:sticky");
