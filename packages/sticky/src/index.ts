// Public API of @switchyard/sticky: every name listed by hand.

export type { Balancer, BalancerStats, UpstreamStats } from "./balancer.js";
export { createBalancer } from "./balancer.js";
export type {
  BalancerOptions,
  BalancerUpstream,
  NewSessionPolicy,
} from "./balancer-options.js";
export { InvalidArgumentError, StickyError, StickyErrorCode } from "./errors.js";
export type { HealthCheckOptions } from "./health-check.js";
export { DEFAULT_HEALTH_CHECK } from "./health-check.js";
export type { StickyLimits } from "./limits.js";
export { DEFAULT_LIMITS } from "./limits.js";
export type { PrimaryStats, StickyPrimary, WorkerStats } from "./primary.js";
export { setupPrimary } from "./primary.js";
export type { LoadBalancingMethod, PrimaryOptions } from "./primary-options.js";
export type { RouteKey, RouteKeySource } from "./route-key.js";
export { readRouteKey, sidFromCookie, sidFromTarget } from "./route-key.js";
export type { StickyWorkerTarget } from "./worker.js";
export { setupWorker } from "./worker.js";

/** This package's release line. */
export const version: string = "0.1.0";
