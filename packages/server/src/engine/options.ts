// Engine.IO server options (docs/protocol.md §1.11) with the official defaults, plus switchyard's
// backpressure bounds. resolveEngineOptions() fills every default once, at construction.
import type { IncomingMessage } from "node:http";
import type { CorsOptions, CorsOptionsDelegate } from "cors";
import type { PerMessageDeflateOptions } from "ws";
import {
  type AddressLimitOptions,
  type ResolvedAddressLimits,
  resolveAddressLimits,
} from "../limits/address-limits.js";
import { DEFAULT_TRANSPORTS, isTransportName, type TransportName } from "../transport/names.js";
import type { WsEngine } from "../transport/ws-engine.js";
import { InvalidArgumentError } from "./errors.js";

export type { TransportName } from "../transport/names.js";

/** `allowRequest(req, callback)`: call back `(errorMessage, success)`; handshakes only. */
export type AllowRequest = (
  req: IncomingMessage,
  callback: (message: string | null | undefined, success: boolean) => void,
) => void;

/** Attributes of the sticky-session cookie set on the polling handshake. */
export interface CookieOptions {
  /** @default "io" */
  name?: string;
  /** `false` omits the Path attribute. @default "/" */
  path?: string | false;
  /** @default true */
  httpOnly?: boolean;
  /** @default "lax" */
  sameSite?: boolean | "lax" | "strict" | "none";
  secure?: boolean;
  domain?: string;
  /** Seconds. */
  maxAge?: number;
  expires?: Date;
  partitioned?: boolean;
}

/** zlib options for polling compression; `threshold` is the minimum body size in bytes. */
export interface HttpCompressionOptions {
  /** @default 1024 */
  threshold?: number;
  level?: number;
  memLevel?: number;
  windowBits?: number;
  chunkSize?: number;
  strategy?: number;
}

/** Options of the Engine.IO server, named and defaulted as in engine.io 6.6. */
export interface EngineServerOptions {
  /** @default 20000 */
  pingTimeout?: number;
  /** @default 25000 */
  pingInterval?: number;
  /** @default 10000 */
  upgradeTimeout?: number;
  /** POST byte limit (413), WebSocket maxPayload, advertised as `maxPayload`. @default 1e6 */
  maxHttpBufferSize?: number;
  allowRequest?: AllowRequest;
  /** @default ["polling", "websocket"] */
  transports?: TransportName[];
  /** @default true */
  allowUpgrades?: boolean;
  /** @default false */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * The WebSocket server class (engine.io's `wsEngine`): constructed once per engine with
   * `{ noServer: true, clientTracking: false, perMessageDeflate, maxPayload }`. @default the
   * engine's own RFC 6455 server (transport/websocket-native/), which hands connections that
   * negotiate permessage-deflate to ws's `WebSocketServer`
   */
  wsEngine?: WsEngine;
  /** @default { threshold: 1024 } */
  httpCompression?: boolean | HttpCompressionOptions;
  /** A message packet queued right after the open packet. */
  initialPacket?: string | Buffer;
  /** @default false */
  cookie?: boolean | CookieOptions;
  /** Options of the `cors` package; installed as the first engine middleware. @default false */
  cors?: false | CorsOptions | CorsOptionsDelegate;
  /** EIO3 is not supported: `true` throws {@link InvalidArgumentError}. @default false */
  allowEIO3?: false;
  /**
   * switchyard: soft bound on a session's unsent bytes; past it, volatile packets are dropped.
   * @default 1048576
   */
  maxBufferedBytes?: number;
  /**
   * switchyard: hard bound on a session's unsent bytes; past it the session closes with
   * reason "write buffer overflow". @default 16777216
   */
  maxBufferedBytesHard?: number;
  /**
   * switchyard: concurrent sessions and handshakes per second per client address; a handshake
   * over them is answered 429. `false` turns them off.
   * @default { maxConnections: 10000, handshakesPerSecond: 1000, handshakeBurst: 10000 }
   */
  addressLimits?: false | AddressLimitOptions;
  /**
   * switchyard: the most WebSocket frames one message may take on the built-in WebSocket engine
   * (0: no limit); past it the connection is failed with close status 1008. `ws`'s default.
   * @default 16384
   */
  maxWebSocketFragments?: number;
}

/** Options of `attach()`: where the engine listens on an HTTP server. */
export interface AttachOptions {
  /** @default "/engine.io" */
  path?: string;
  /** @default true */
  destroyUpgrade?: boolean;
  /** @default 1000 */
  destroyUpgradeTimeout?: number;
  /** @default true */
  addTrailingSlash?: boolean;
}

/** Every engine option with its default applied. */
export interface ResolvedEngineOptions {
  pingTimeout: number;
  pingInterval: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  allowRequest: AllowRequest | undefined;
  transports: readonly TransportName[];
  allowUpgrades: boolean;
  perMessageDeflate: false | PerMessageDeflateOptions;
  /** undefined: the built-in engine (ws). */
  wsEngine: WsEngine | undefined;
  httpCompression: false | HttpCompressionOptions;
  initialPacket: string | Buffer | undefined;
  cookie: false | CookieOptions;
  cors: false | CorsOptions | CorsOptionsDelegate;
  maxBufferedBytes: number;
  maxBufferedBytesHard: number;
  /** undefined: off. */
  addressLimits: ResolvedAddressLimits | undefined;
  maxWebSocketFragments: number;
}

/** Node's timers fire after 1 ms when given more than 2^31 - 1 ms, so longer delays are refused. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function timerMs(name: string, value: number | undefined, fallback: number): number {
  const ms = nonNegative(name, value, fallback);
  if (ms > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`option ${name} must be at most ${MAX_TIMER_MS} ms`);
  }
  return ms;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError(`option ${name} must be a non-negative number`);
  }
  return value;
}

/** Applies the official defaults; throws {@link InvalidArgumentError} on a bad value. */
export function resolveEngineOptions(options: EngineServerOptions = {}): ResolvedEngineOptions {
  if ((options.allowEIO3 as boolean | undefined) === true) {
    throw new InvalidArgumentError("allowEIO3 is not supported: switchyard speaks EIO=4 only");
  }
  const transports = options.transports ?? DEFAULT_TRANSPORTS;
  for (const name of transports) {
    if (!isTransportName(name)) {
      throw new InvalidArgumentError(`unknown transport "${String(name)}"`);
    }
  }
  const deflate = options.perMessageDeflate ?? false;
  const compression = options.httpCompression ?? true;
  const cookie = options.cookie ?? false;
  const maxBufferedBytes = nonNegative("maxBufferedBytes", options.maxBufferedBytes, 1 << 20);
  return {
    pingTimeout: timerMs("pingTimeout", options.pingTimeout, 20_000),
    pingInterval: timerMs("pingInterval", options.pingInterval, 25_000),
    upgradeTimeout: timerMs("upgradeTimeout", options.upgradeTimeout, 10_000),
    maxHttpBufferSize: nonNegative("maxHttpBufferSize", options.maxHttpBufferSize, 1e6),
    allowRequest: options.allowRequest,
    transports: [...transports],
    allowUpgrades: options.allowUpgrades ?? true,
    perMessageDeflate:
      deflate === false ? false : { threshold: 1024, ...(deflate === true ? {} : deflate) },
    wsEngine: wsEngineOf(options.wsEngine),
    httpCompression:
      compression === false
        ? false
        : { threshold: 1024, ...(compression === true ? {} : compression) },
    initialPacket: options.initialPacket,
    cookie:
      cookie === false
        ? false
        : {
            name: "io",
            path: "/",
            httpOnly: true,
            sameSite: "lax",
            ...(cookie === true ? {} : cookie),
          },
    cors: options.cors ?? false,
    maxBufferedBytes,
    maxBufferedBytesHard: Math.max(
      maxBufferedBytes,
      nonNegative("maxBufferedBytesHard", options.maxBufferedBytesHard, 1 << 24),
    ),
    addressLimits: resolveAddressLimits(options.addressLimits),
    maxWebSocketFragments: nonNegative(
      "maxWebSocketFragments",
      options.maxWebSocketFragments,
      16 * 1024,
    ),
  };
}

function wsEngineOf(wsEngine: WsEngine | undefined): WsEngine | undefined {
  if (wsEngine !== undefined && typeof wsEngine !== "function") {
    throw new InvalidArgumentError("option wsEngine must be a WebSocket server class");
  }
  return wsEngine;
}

/** Normalises the attach path as the official server does: no trailing "/", then one added. */
export function resolveEnginePath(options: AttachOptions, fallback = "/engine.io"): string {
  const base = (options.path ?? fallback).replace(/\/$/, "");
  return options.addTrailingSlash === false ? base : `${base}/`;
}
