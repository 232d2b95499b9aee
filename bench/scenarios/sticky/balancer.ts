// The switchyard balancer (a bench child) in front of the bench nodes: createBalancer from
// @switchyard/sticky, as the CLI runs it. `requests` = everything it has routed so far.
import { createBalancer } from "@switchyard/sticky";
import { ready, serve } from "../../lib/ipc.js";

const UPSTREAMS_VAR = "BENCH_UPSTREAMS";
const upstreams = JSON.parse(process.env[UPSTREAMS_VAR] ?? "[]") as { id: string; url: string }[];
// Health checks off: a GET every 2 s per upstream is noise, not per-request overhead.
const balancer = createBalancer({ host: "127.0.0.1", upstreams, healthCheck: false });
const { port } = await balancer.listen();
serve({
  requests: () => {
    const stats = balancer.stats();
    return stats.routedBySid + stats.routedByCookie + stats.newSessions;
  },
});
ready({ port });
