// A switchyard-balancer replica in front of the storm's nodes (a bench child): createBalancer
// from @switchyard/sticky as the CLI runs it, least-connections placement of new sessions, and
// its default health checks (GET /readyz every 2 s, out after 2 failures; a refused connection
// counts as one), so a SIGKILLed node leaves the placement within a couple of refused requests.
import { createBalancer } from "@switchyard/sticky";
import { ready, serve } from "../../lib/ipc.js";

const upstreams = JSON.parse(process.env["BENCH_UPSTREAMS"] ?? "[]") as {
  id: string;
  url: string;
}[];
const balancer = createBalancer({ host: "127.0.0.1", upstreams });
const { port } = await balancer.listen();
serve({ stats: () => balancer.stats() });
ready({ port });
