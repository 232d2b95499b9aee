// Recovery across nodes on NATS JetStream, at process level, behind the balancer
// (support/balancer-faults.ts): on the distribution's nats-server 2.9 (ordered-consumer delivery)
// and on a current 2.x (RePublish).
import { inject } from "vitest";
import { describeBalancerFaults } from "./support/balancer-faults.js";

const url = inject("natsUrl");
const current = inject("natsCurrentUrl");

describeBalancerFaults("NATS 2.9", () => ({ BUS: "nats", NATS_URL: url ?? "" }), url === undefined);
describeBalancerFaults(
  "NATS (current)",
  () => ({ BUS: "nats", NATS_URL: current ?? "" }),
  current === undefined,
);
