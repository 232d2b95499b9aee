// Manager: one engine connection shared by the namespace sockets of a host, the reconnect loop
// with backoff, and the Socket.IO codec (docs/protocol.md §4.3). Sockets subscribe to its events.
import { Decoder, Encoder, type Packet } from "@switchyard/protocol";
import { Backoff } from "./backoff.js";
import { Emitter } from "./emitter.js";
import { EngineSocket } from "./engine/client.js";
import type { CloseDetails } from "./engine/transport.js";
import { ClientError } from "./errors.js";
import type { ManagerOptions, ParserModule, SocketOptions } from "./options.js";
import { Socket } from "./socket.js";
import { startTimer } from "./timers.js";
import { parseUri } from "./url.js";

/** Manager close reasons. */
export type ManagerCloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "forced close"
  | "parse error";

/** Events of the Manager. */
export interface ManagerReservedEvents {
  open: () => void;
  error: (err: Error) => void;
  ping: () => void;
  packet: (packet: Packet) => void;
  close: (reason: ManagerCloseReason, description?: CloseDetails | Error) => void;
  reconnect_failed: () => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect: (attempt: number) => void;
}

type ManagerState = "opening" | "open" | "closed";

interface DecoderLike {
  add(chunk: unknown): unknown;
  on(event: "decoded", fn: (packet: Packet) => void): unknown;
  destroy(): void;
}

const DEFAULT_PARSER: ParserModule = { Encoder, Decoder };

/**
 * One connection to a Socket.IO server, multiplexing namespace sockets.
 * @example
 * const manager = new Manager("https://example.com", { reconnectionDelayMax: 10000 });
 * const admin = manager.socket("/admin", { auth: { token: "abc" } });
 */
export class Manager extends Emitter<object, ManagerReservedEvents> {
  /** The engine connection (undefined until the first open). */
  engine: EngineSocket | undefined;
  /** Options given at construction. */
  readonly opts: Partial<ManagerOptions>;
  /** Namespace sockets by name. */
  readonly nsps: Record<string, Socket> = {};
  /** @package */ _readyState: ManagerState = "closed";
  /** @package */ _reconnecting = false;
  readonly #uri: string | undefined;
  readonly #backoff: Backoff;
  readonly #encoder: { encode(packet: Packet): unknown[] };
  readonly #parser: ParserModule;
  #decoder: DecoderLike | undefined;
  #subs: Array<() => void> = [];
  #skipReconnect = false;
  // Set by the constructor through the setters below.
  #reconnection!: boolean;
  #reconnectionAttempts!: number;
  #randomizationFactor!: number;
  #timeout!: number | false;

  constructor(uri?: string | Partial<ManagerOptions>, opts?: Partial<ManagerOptions>) {
    super();
    const options = typeof uri === "object" ? uri : (opts ?? {});
    this.#uri = typeof uri === "string" ? uri : undefined;
    this.opts = { ...options, path: options.path ?? "/socket.io" };
    this.#parser = options.parser ?? DEFAULT_PARSER;
    this.#encoder = new this.#parser.Encoder();
    this.#backoff = new Backoff();
    this.reconnection(options.reconnection !== false);
    this.reconnectionAttempts(options.reconnectionAttempts || Infinity);
    this.reconnectionDelay(options.reconnectionDelay || 1000);
    this.reconnectionDelayMax(options.reconnectionDelayMax || 5000);
    this.randomizationFactor(options.randomizationFactor ?? 0.5);
    this.timeout(options.timeout ?? 20000);
    if (options.autoConnect !== false) this.open();
  }

  /** Gets or sets `reconnection`. */
  reconnection(): boolean;
  reconnection(value: boolean): this;
  reconnection(value?: boolean): boolean | this {
    if (value === undefined) return this.#reconnection;
    this.#reconnection = value;
    if (!value) this.#skipReconnect = true;
    return this;
  }

  /** Gets or sets `reconnectionAttempts`. */
  reconnectionAttempts(): number;
  reconnectionAttempts(value: number): this;
  reconnectionAttempts(value?: number): number | this {
    if (value === undefined) return this.#reconnectionAttempts;
    this.#reconnectionAttempts = value;
    return this;
  }

  /** Gets or sets `reconnectionDelay`. */
  reconnectionDelay(): number;
  reconnectionDelay(value: number): this;
  reconnectionDelay(value?: number): number | this {
    if (value === undefined) return this.#backoff.min;
    this.#backoff.min = value;
    return this;
  }

  /** Gets or sets `reconnectionDelayMax`. */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(value: number): this;
  reconnectionDelayMax(value?: number): number | this {
    if (value === undefined) return this.#backoff.max;
    this.#backoff.max = value;
    return this;
  }

  /** Gets or sets `randomizationFactor`. */
  randomizationFactor(): number;
  randomizationFactor(value: number): this;
  randomizationFactor(value?: number): number | this {
    if (value === undefined) return this.#randomizationFactor;
    this.#randomizationFactor = value;
    this.#backoff.setJitter(value);
    return this;
  }

  /** Gets or sets the connect `timeout`. */
  timeout(): number | false;
  timeout(value: number | false): this;
  timeout(value?: number | false): number | false | this {
    if (value === undefined) return this.#timeout;
    this.#timeout = value;
    return this;
  }

  /** Opens the engine connection (no-op while opening or open). */
  open(fn?: (err?: Error) => void): this {
    if (this._readyState === "open" || this._readyState === "opening") return this;
    const engine = new EngineSocket(this.#engineOptions());
    this.engine = engine;
    this._readyState = "opening";
    this.#skipReconnect = false;
    const onOpen = (): void => {
      this.#onOpen();
      fn?.();
    };
    const onError = (err: Error): void => {
      this.#cleanup();
      this._readyState = "closed";
      this.emitReserved("error", err);
      if (fn !== undefined) fn(err);
      else this.#maybeReconnectOnOpen();
    };
    this.#subs.push(engine.subscribe("open", onOpen), engine.subscribe("error", onError));
    const timeout = this.#timeout;
    if (timeout !== false) {
      this.#timer(() => {
        onError(new ClientError("SY_ERR_CLIENT_CONNECT_TIMEOUT", "timeout"));
        engine.close();
      }, timeout);
    }
    return this;
  }

  /** Alias of {@link Manager.open}. */
  connect(fn?: (err?: Error) => void): this {
    return this.open(fn);
  }

  #engineOptions(): ManagerOptions {
    const opts = this.opts;
    // Without a URI: the given host options, else the page (browsers), else http://localhost.
    if (this.#uri === undefined && (opts.hostname ?? opts.host) !== undefined) return { ...opts };
    const { hostname, port, secure, query } = parseUri(this.#uri);
    return { ...opts, hostname, port, secure, query: opts.query ?? query };
  }

  #onOpen(): void {
    this.#cleanup();
    this._readyState = "open";
    this.emitReserved("open");
    const engine = this.engine as EngineSocket;
    const decoder = new this.#parser.Decoder();
    this.#decoder = decoder;
    decoder.on("decoded", (packet) => {
      // Next tick, as socket.io-client: a listener's exception never unwinds the decoder.
      queueMicrotask(() => this.emitReserved("packet", packet));
    });
    this.#subs.push(
      engine.subscribe("ping", () => this.emitReserved("ping")),
      engine.subscribe("data", (data) => this.#onData(data)),
      engine.subscribe("error", (err) => this.emitReserved("error", err)),
      engine.subscribe("close", (reason, description) => this.#onClose(reason, description)),
    );
  }

  #onData(data: unknown): void {
    try {
      const result = this.#decoder?.add(data) as { ok?: boolean; error?: unknown } | undefined;
      if (result?.ok === false) throw result.error;
    } catch (err) {
      // A failed result (our decoder) or a throw (custom parsers).
      this.#onClose("parse error", err as Error);
    }
  }

  /** Creates or returns the socket of a namespace. */
  socket(nsp: string, opts?: Partial<SocketOptions>): Socket {
    let socket = this.nsps[nsp];
    if (socket === undefined) {
      socket = new Socket(this, nsp, opts);
      this.nsps[nsp] = socket;
    } else if (this.opts.autoConnect !== false && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  /**
   * Called by a socket that stopped; closes the engine once no socket is active.
   * @package
   */
  _destroy(_socket: object): void {
    if (!Object.values(this.nsps).some((socket) => socket.active)) this._close();
  }

  /**
   * Writes a packet.
   * @package
   */
  _packet(packet: Packet & { options?: { compress?: boolean } }): void {
    const chunks = this.#encoder.encode(packet);
    for (const chunk of chunks) {
      this.engine?.write(chunk as string, packet.options);
    }
  }

  #cleanup(): void {
    for (const unsubscribe of this.#subs) unsubscribe();
    this.#subs = [];
    this.#decoder?.destroy();
    this.#decoder = undefined;
  }

  /**
   * Closes for good (no reconnection).
   * @package
   */
  _close(): void {
    this.#skipReconnect = true;
    this._reconnecting = false;
    this.#onClose("forced close"); // its cleanup clears a pending reconnect timer
  }

  /** Alias of `_close()`. */
  disconnect(): void {
    this._close();
  }

  #onClose(reason: ManagerCloseReason, description?: CloseDetails | Error): void {
    this.#cleanup();
    this.engine?.close();
    this.#backoff.reset();
    this._readyState = "closed";
    this.emitReserved("close", reason, description);
    if (this.#reconnection && !this.#skipReconnect) this.#reconnect();
  }

  #maybeReconnectOnOpen(): void {
    if (!this._reconnecting && this.#reconnection && this.#backoff.attempts === 0)
      this.#reconnect();
  }

  #reconnect(): void {
    if (this._reconnecting || this.#skipReconnect) return;
    if (this.#backoff.attempts >= this.#reconnectionAttempts) {
      this.#backoff.reset();
      this.emitReserved("reconnect_failed");
      this._reconnecting = false;
      return;
    }
    const delay = this.#backoff.duration();
    this._reconnecting = true;
    this.#timer(() => {
      if (this.#skipReconnect) return;
      this.emitReserved("reconnect_attempt", this.#backoff.attempts);
      if (this.#skipReconnect) return;
      this.open((err) => {
        if (err !== undefined) {
          this._reconnecting = false;
          this.#reconnect();
          this.emitReserved("reconnect_error", err);
        } else {
          const attempt = this.#backoff.attempts;
          this._reconnecting = false;
          this.#backoff.reset();
          this.emitReserved("reconnect", attempt);
        }
      });
    }, delay);
  }

  /** A timer cleared by the next cleanup (unref'd with `autoUnref`). */
  #timer(fn: () => void, delay: number): void {
    this.#subs.push(startTimer(this.opts, fn, delay));
  }
}
