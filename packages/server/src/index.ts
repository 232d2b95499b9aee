// Public API of @switchyard/server: every name listed by hand (Engine.IO layer, then Socket.IO).

export { SwitchyardError } from "@switchyard/protocol";
export type { HandshakeErrorContext } from "./engine/errors.js";
export {
  EngineErrorMessage,
  EngineErrorNumber,
  HandshakeError,
  InvalidArgumentError,
  ServerErrorCode,
  TooManyRequestsError,
  TransportError,
} from "./engine/errors.js";
export { attach, listen } from "./engine/listen.js";
export type {
  AllowRequest,
  AttachOptions,
  CookieOptions,
  EngineServerOptions,
  HttpCompressionOptions,
  TransportName,
} from "./engine/options.js";
export type { EngineConnectionError, EngineServerEvents } from "./engine/server.js";
export { EngineServer } from "./engine/server.js";
export { EngineSession } from "./engine/session.js";
export type {
  EngineCloseReason,
  EngineReadyState,
  EngineSessionEvents,
  WriteOptions,
} from "./engine/session-types.js";
export type { EngineMiddleware } from "./http/middleware.js";
// Abuse limits (issue 15): per client address (engine, sticky fronts) and per socket.
export type {
  AddressLimitCounters,
  AddressLimitOptions,
  AddressRefusal,
  ResolvedAddressLimits,
} from "./limits/address-limits.js";
export {
  ADDRESS_LIMIT_DEFAULTS,
  AddressLimiter,
  createAddressLimiter,
  resolveAddressLimits,
} from "./limits/address-limits.js";
export { clientAddressOf } from "./limits/client-address.js";
export type {
  EventLimitAction,
  EventLimitCounters,
  EventRateLimitOptions,
} from "./limits/event-rate-limit.js";
export {
  EVENT_RATE_LIMIT_DEFAULTS,
  EVENT_RATE_LIMIT_REASON,
} from "./limits/event-rate-limit.js";
export { Logger } from "./log.js";
export { EncodedPacket } from "./transport/encoded-packet.js";
export type { Transport } from "./transport/transport.js";
export {
  WebSocketProtocolError,
  type WebSocketProtocolErrorReason,
} from "./transport/websocket-native/errors.js";
export type {
  WsEngine,
  WsEngineData,
  WsEngineOptions,
  WsEngineServer,
  WsEngineSocket,
} from "./transport/ws-engine.js";

/** This package's release line. */
export const version: string = "0.1.0";

// Socket.IO layer: drop-in for the `socket.io` 4.8 API.
export type {
  AdapterConstructor,
  AdapterContract,
  AdapterNamespace,
  AdapterSocket,
  BroadcastFlags,
  BroadcastOptions,
  EncodedWriteOptions,
  PrivateSessionId,
  RecoverySettings,
  Room,
  Session,
  SessionToPersist,
  SocketDetails,
  SocketId,
} from "./adapter/adapter.js";
// Cluster adapter base (issue 6): what bus adapters (Redis, NATS, in-process) build on.
export { ClusterAdapter } from "./adapter/cluster-adapter.js";
export type { ClusterCounters, ClusterTarget, OutgoingMessage } from "./adapter/cluster-bus.js";
export { ClusterBusAdapter } from "./adapter/cluster-bus.js";
export type {
  ClusterEmitterBinding,
  ClusterEmitterFlags,
  ClusterEmitterScope,
} from "./adapter/cluster-emitter.js";
export { BoundClusterEmitter, ClusterEmitter } from "./adapter/cluster-emitter.js";
export {
  AdapterError,
  AdapterErrorCode,
  ClusterRequestTimeoutError,
} from "./adapter/cluster-errors.js";
export type {
  ClusterHistory,
  DeliveredPosition,
  HistoryEntry,
  HistoryLossReason,
  HistoryRead,
  LogPosition,
  SessionStore,
  SessionWrite,
} from "./adapter/cluster-history.js";
export { comparePositions } from "./adapter/cluster-history.js";
export { ClusterHistoryAdapter } from "./adapter/cluster-history-adapter.js";
export type { HeartbeatOptions } from "./adapter/cluster-membership.js";
export { HEARTBEAT_DEFAULTS } from "./adapter/cluster-membership.js";
export type {
  ClusterMessage,
  DecodeResult,
  DropReason,
  WireBroadcastOptions,
} from "./adapter/cluster-message.js";
export {
  CLUSTER_PROTOCOL_VERSION,
  decodeClusterMessage,
  EMITTER_UID,
  encodeClusterMessage,
  fromWireOptions,
  MessageType,
  toWireOptions,
} from "./adapter/cluster-message.js";
export type { ClusterAdapterOptions, PartialResult } from "./adapter/cluster-options.js";
export type { RecoveryCounters, RecoveryMissReason } from "./adapter/cluster-recovery.js";
export { randomId } from "./adapter/cluster-requests.js";
export { Adapter } from "./adapter/in-memory.js";
export { InProcessAdapter, InProcessBus, topicOf } from "./adapter/in-process-bus.js";
export type { MemoryHistoryOptions } from "./adapter/memory-history.js";
export { ALL_LOG, MemoryHistory } from "./adapter/memory-history.js";
export { SessionAwareAdapter } from "./adapter/session-aware.js";
export { TopicHandlers } from "./adapter/topic-handlers.js";
export { BroadcastOperator } from "./broadcast/operator.js";
export { RemoteSocket } from "./broadcast/remote-socket.js";
export type { EngineLike, EngineSessionLike } from "./connection/engine-session.js";
export type { PacketDecoder, PacketEncoder, Parser } from "./connection/parser.js";
export type {
  ConnectMiddleware,
  ExtendedError,
  NamespaceReservedEventsMap,
} from "./namespace/namespace.js";
export { Namespace } from "./namespace/namespace.js";
export { ParentNamespace } from "./namespace/parent-namespace.js";
export type { ParentNspNameMatchFn } from "./namespace/registry.js";
export {
  createSidGenerator,
  defaultNodeId,
  nodeTag,
  readSidTag,
  SID_TAG_LENGTH,
} from "./node-id.js";
// Operations (issue 9): health/readiness, Prometheus metrics, graceful shutdown.
export type { HealthOptions, ReadinessCheck } from "./ops/health.js";
export { HEALTH_DEFAULTS } from "./ops/health.js";
export type { BusTotals, MetricsOptions, MetricsSource } from "./ops/metrics.js";
export { ServerMetrics, ServerStats } from "./ops/metrics.js";
export type { OperationsOptions } from "./ops/operations.js";
export type { ShutdownOnSignalOptions, ShutdownOptions } from "./ops/shutdown.js";
export { SHUTDOWN_DEFAULTS } from "./ops/shutdown.js";
export type { ItemPosition } from "./recovery/cluster-offset.js";
export type { ConnectionStateRecoveryOptions } from "./recovery/recovery-options.js";
export { RECOVERY_DEFAULTS } from "./recovery/recovery-options.js";
export type { AttachTarget, ServerReservedEventsMap } from "./server.js";
export { Server } from "./server.js";
export type { ServerOptions } from "./server-options.js";
export { SERVER_DEFAULTS } from "./server-options.js";
export type { AnyListener } from "./socket/any-listeners.js";
export type { Handshake } from "./socket/handshake.js";
export type { DisconnectReason, Event, SocketReservedEventsMap } from "./socket/socket.js";
export { Socket } from "./socket/socket.js";
export {
  SocketDeprecatedErrorCode,
  SocketError,
  SocketErrorCode,
  TimeoutError,
} from "./socket-errors.js";
export type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventNamesWithError,
  EventNamesWithoutAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  RemoveAcknowledgements,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
  TypedEventBroadcaster,
} from "./typed-events.js";
