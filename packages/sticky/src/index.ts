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
export type { IpcAdapterOptions } from "./ipc-adapter.js";
export { createAdapter, IpcAdapter } from "./ipc-adapter.js";
export type { IpcBusCounters, IpcBusOptions, IpcChannel, IpcHandler } from "./ipc-bus.js";
export { IpcBus, processChannel } from "./ipc-bus.js";
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
} from "./ipc-bus-message.js";
export { IPC_ADAPTER_MARKER } from "./ipc-bus-message.js";
export type { IpcRelayStats, PrimaryRelay, RelayPeer } from "./ipc-relay.js";
export { IpcRelay, setupPrimaryRelay } from "./ipc-relay.js";
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
