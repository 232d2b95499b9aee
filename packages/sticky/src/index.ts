// Public API of @switchyard/sticky: every name listed by hand.

export type { Balancer, BalancerStats, UpstreamStats } from "./balancer/balancer.js";
export { createBalancer } from "./balancer/balancer.js";
export type {
  BalancerOptions,
  BalancerUpstream,
  NewSessionPolicy,
} from "./balancer/balancer-options.js";
export type { HealthCheckOptions } from "./balancer/health-check.js";
export { DEFAULT_HEALTH_CHECK } from "./balancer/health-check.js";
export type { IpcRelayStats, PrimaryRelay, RelayPeer } from "./cluster/ipc-relay.js";
export { IpcRelay, setupPrimaryRelay } from "./cluster/ipc-relay.js";
export type { PrimaryStats, StickyPrimary, WorkerStats } from "./cluster/primary.js";
export { setupPrimary } from "./cluster/primary.js";
export type { LoadBalancingMethod, PrimaryOptions } from "./cluster/primary-options.js";
export type { StickyWorkerTarget } from "./cluster/worker.js";
export { setupWorker } from "./cluster/worker.js";
export { InvalidArgumentError, StickyError, StickyErrorCode } from "./errors.js";
export type { StickyLimits } from "./front/limits.js";
export { DEFAULT_LIMITS } from "./front/limits.js";
export type { RouteKey, RouteKeySource } from "./front/route-key.js";
export { readRouteKey, sidFromCookie, sidFromTarget } from "./front/route-key.js";
export type { IpcAdapterOptions } from "./ipc/adapter.js";
export { createAdapter, IpcAdapter } from "./ipc/adapter.js";
export type {
  DeliverMessage,
  GoneMessage,
  GoneNode,
  PublishMessage,
  RelayToWorkerMessage,
  SubscribedMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  WorkerToRelayMessage,
} from "./ipc/adapter-message.js";
export { IPC_ADAPTER_MARKER } from "./ipc/adapter-message.js";
export type { IpcBusCounters, IpcBusOptions, IpcChannel, IpcHandler } from "./ipc/bus.js";
export { IpcBus, processChannel } from "./ipc/bus.js";

/** This package's release line. */
export const version: string = "0.1.0";
