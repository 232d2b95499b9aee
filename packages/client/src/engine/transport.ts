// Base of the engine transports: state, URL building and the events the engine socket listens
// to (open, packet, drain, error, close). polling.ts and websocket.ts implement the I/O.
import {
  type BinaryType,
  decodeEnginePacket,
  ENGINE_PROTOCOL_VERSION,
  type EnginePacket,
} from "@switchyard/protocol";
import { Emitter } from "../emitter.js";
import { TransportError } from "../errors.js";
import type { CookieJarLike } from "../platform.js";
import { encodeQuery, timestamp } from "../url.js";
import type { EngineOptions, TransportName } from "./options.js";

/** Why a transport closed, as engine.io-client reports it. */
export interface CloseDetails {
  description: string;
  context?: unknown;
}

/** Events of a transport. */
export interface TransportEvents {
  open: () => void;
  packet: (packet: EnginePacket) => void;
  drain: () => void;
  error: (err: TransportError) => void;
  close: (details?: CloseDetails) => void;
  poll: () => void;
  pollComplete: () => void;
}

/** Transport state. */
export type TransportState = "opening" | "open" | "closed" | "pausing" | "paused";

/** The engine socket as its transports see it. */
export interface TransportOwner {
  /** The engine's current `binaryType` (users may change it on `socket.io.engine`). */
  readonly binaryType: BinaryType;
  /** Node cookie jar when `withCredentials` is set. */
  readonly jar: CookieJarLike | undefined;
}

/** One Engine.IO transport connection. */
export abstract class Transport extends Emitter<object, TransportEvents> {
  abstract readonly name: TransportName;
  /** True when `send()` may be called now. */
  writable = false;
  readyState: TransportState | undefined;
  /** Query parameters of the next request (EIO, transport, sid once known, user query). */
  query: Record<string, unknown>;
  protected opts: EngineOptions;
  /** The engine socket. */
  protected owner: TransportOwner;

  constructor(owner: TransportOwner, opts: EngineOptions, query: Record<string, unknown>) {
    super();
    this.owner = owner;
    this.opts = opts;
    this.query = query;
  }

  /** Starts connecting. */
  open(): this {
    this.readyState = "opening";
    this.doOpen();
    return this;
  }

  /** Closes the transport. */
  close(): this {
    if (this.readyState === "opening" || this.readyState === "open") {
      this.doClose();
      this.onClose();
    }
    return this;
  }

  /** Sends packets; the transport emits `drain` once they are written. */
  send(packets: EnginePacket[]): void {
    if (this.readyState === "open") this.write(packets);
  }

  /** Stops the transport so another can take over; polling waits for in-flight requests. */
  pause(onPause: () => void): void {
    this.readyState = "paused";
    onPause();
  }

  protected abstract doOpen(): void;
  protected abstract doClose(): void;
  protected abstract write(packets: EnginePacket[]): void;

  protected onOpen(): void {
    this.readyState = "open";
    this.writable = true;
    this.emitReserved("open");
  }

  protected onData(data: unknown): void {
    const result = decodeEnginePacket(data as string, this.owner.binaryType);
    if (result.ok) this.emitReserved("packet", result.value);
    else this.onError("parse error", result.error);
  }

  protected onError(reason: string, description: unknown, context?: unknown): this {
    this.emitReserved("error", new TransportError(reason, description, context));
    return this;
  }

  protected onClose(details?: CloseDetails): void {
    this.readyState = "closed";
    this.emitReserved("close", details);
  }

  /** `<schema>://host[:port]<path>?<query>` (the engine filled in hostname, path and timestampParam). */
  protected uri(schema: "http" | "ws", withTimestamp: boolean): string {
    const opts = this.opts;
    const secure = opts.secure === true;
    const query: Record<string, unknown> = { ...this.query };
    if (withTimestamp) query[opts.timestampParam as string] = timestamp();
    if (opts.forceBase64 && query["sid"] === undefined) query["b64"] = 1;
    const port = `${opts.port ?? ""}`;
    const hostname = opts.hostname as string;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    const search = encodeQuery(query);
    return `${schema}${secure ? "s" : ""}://${host}${port !== "" && port !== (secure ? "443" : "80") ? `:${port}` : ""}${opts.path}${search === "" ? "" : `?${search}`}`;
  }
}

/** The query every transport request carries. */
export function baseQuery(
  name: TransportName,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return { ...extra, EIO: ENGINE_PROTOCOL_VERSION, transport: name };
}
