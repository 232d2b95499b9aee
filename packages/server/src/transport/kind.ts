// What the transport registry holds for one transport name: how the engine opens it (from a plain
// HTTP request or from an HTTP Upgrade) and which transports a session on it may move to.
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import type { ResolvedEngineOptions } from "../engine/options.js";
import type { RequestTransport, Transport } from "./transport.js";

/** What a transport kind may ask of the engine that opens it. */
export interface TransportEngine {
  readonly options: ResolvedEngineOptions;
  /**
   * Adds the engine's headers to a plain HTTP answer of session `sid`: the session cookie and
   * `initial_headers` on the handshake, then the `headers` event.
   */
  decorateHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, sid: string): void;
  /** The engine's header lines for the `101 Switching Protocols` of an upgrade request. */
  upgradeHeaders(req: IncomingMessage): string[];
}

/** Opens the transport of session `sid` from its handshake request (plain HTTP transports). */
export type RequestTransportOpener = (sid: string) => RequestTransport;

/**
 * Completes an HTTP Upgrade and calls `onOpen` with the new transport. A request it cannot
 * complete (a bad WebSocket handshake) is answered by the opener and `onOpen` is never called.
 */
export type UpgradeTransportOpener = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  query: URLSearchParams,
  onOpen: (transport: Transport) => void,
) => void;

interface TransportKindBase {
  /** The transports a session on this one may upgrade to, in the order the client prefers. */
  readonly upgradesTo: readonly string[];
}

/** A transport served by plain HTTP requests (polling). */
export interface RequestTransportKind extends TransportKindBase {
  readonly handlesUpgrade: false;
  /** Called once by each engine that enables this transport. */
  create(engine: TransportEngine): RequestTransportOpener;
}

/** A transport served by an HTTP Upgrade (websocket). */
export interface UpgradeTransportKind extends TransportKindBase {
  readonly handlesUpgrade: true;
  /** Called once by each engine that enables this transport. */
  create(engine: TransportEngine): UpgradeTransportOpener;
}

/**
 * One entry of the transport registry (`transport/registry.ts`). `handlesUpgrade` says how its
 * requests arrive, as engine.io's `handlesUpgrades`: true for an HTTP Upgrade, false for plain
 * requests; a handshake must use the matching kind of request.
 */
export type TransportKind = RequestTransportKind | UpgradeTransportKind;
