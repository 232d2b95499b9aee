// Recovery across nodes on Redis, at process level, behind the balancer (support/balancer-faults.ts).
import { inject } from "vitest";
import { describeBalancerFaults } from "./support/balancer-faults.js";

const url = inject("redisUrl");

describeBalancerFaults("Redis", () => ({ REDIS_URL: url ?? "" }), url === undefined);
