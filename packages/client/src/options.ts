// Options of io(), the Manager and the namespace Socket (socket.io-client 4.8 names, §4.2).
import type { Packet } from "@switchyard/protocol";
import type { EngineOptions } from "./engine/options.js";

/** A custom Socket.IO parser (e.g. a msgpack one): the Encoder/Decoder pair. */
export interface ParserModule {
  Encoder: new () => { encode(packet: Packet): unknown[] };
  Decoder: new () => {
    add(chunk: unknown): unknown;
    on(event: "decoded", fn: (packet: Packet) => void): unknown;
    destroy(): void;
  };
}

/** Manager options. */
export interface ManagerOptions extends EngineOptions {
  /** Always create a new Manager. @default false */
  forceNew?: boolean;
  /** Share a Manager between namespaces of one host. @default true */
  multiplex?: boolean;
  /** Reconnect automatically. @default true */
  reconnection?: boolean;
  /** Attempts before `reconnect_failed` (0 means Infinity, as in socket.io-client). @default Infinity */
  reconnectionAttempts?: number;
  /** First reconnection delay in ms (0 becomes 1000). @default 1000 */
  reconnectionDelay?: number;
  /** Maximum reconnection delay in ms (0 becomes 5000). @default 5000 */
  reconnectionDelayMax?: number;
  /** Jitter of the delay, 0 ≤ f ≤ 1. @default 0.5 */
  randomizationFactor?: number;
  /** Connect timeout in ms, or false for none. @default 20000 */
  timeout?: number | false;
  /** Connect on creation. @default true */
  autoConnect?: boolean;
  /** Custom parser. */
  parser?: ParserModule;
}

/** The `auth` payload, or a function that produces it on every (re)connect. */
export type AuthOption =
  | Record<string, unknown>
  | ((cb: (data: Record<string, unknown>) => void) => void);

/** Namespace socket options. */
export interface SocketOptions {
  /** Sent in the CONNECT packet. */
  auth?: AuthOption;
  /** Default ack timeout in ms. */
  ackTimeout?: number;
  /** Retries per packet; turns on the one-at-a-time delivery queue. */
  retries?: number;
}

/** Everything io() accepts. */
export type IoOptions = Partial<ManagerOptions & SocketOptions> & {
  "force new connection"?: boolean;
};
