// The client opening handshake (RFC 6455 §4.1) over node:http / node:https: a GET with
// `Upgrade: websocket`, a random 16-byte key and version 13, answered by a 101 whose
// Sec-WebSocket-Accept must be base64(sha1(key + GUID)). The checks and error messages are those
// of the `ws` package. Without an `agent` option the request opens its own connection (net or tls
// connect), as `ws` does; with one, the agent provides it.
import {
  builtin,
  type NetSocket,
  type NodeBuffer,
  type NodeClientRequest,
  type NodeIncomingMessage,
} from "./ws-builtins.js";
import { WebSocketHandshakeError } from "./ws-errors.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** What the handshake needs besides the URL. */
export interface HandshakeOptions {
  /** Extra request headers (the user's extraHeaders and the jar's cookie). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Sub-protocols to offer. */
  readonly protocols: readonly string[];
  /** An http(s).Agent, or undefined for a connection of its own. */
  readonly agent: unknown;
  /** TLS options for wss: URLs (pfx, key, cert, ca, …). */
  readonly tls: Readonly<Record<string, unknown>>;
}

/** Where the handshake reports its outcome (exactly one of the two, once). */
export interface HandshakeSink {
  onUpgrade(socket: NetSocket, head: NodeBuffer, protocol: string): void;
  onHandshakeError(err: unknown): void;
}

function header(res: NodeIncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The connection of a request without an agent: `path` is the URL's, not a socket path. */
function connector(secure: boolean): (options: Record<string, unknown>) => NetSocket {
  return (options) => {
    const connectOptions: Record<string, unknown> = { ...options, path: undefined };
    if (!secure) return builtin("node:net").connect(connectOptions);
    const host = typeof options["host"] === "string" ? options["host"] : "";
    if (options["servername"] === undefined && builtin("node:net").isIP?.(host) === 0) {
      connectOptions["servername"] = host;
    }
    return builtin("node:tls").connect(connectOptions);
  };
}

/** An opening handshake in progress. */
export class Handshake {
  readonly #request: NodeClientRequest;
  readonly #sink: HandshakeSink;
  readonly #key: string;
  readonly #protocols: readonly string[];
  #done = false;

  /**
   * Sends the request for ws:/wss: URL `url` (already parsed).
   * @throws when node:http refuses the request synchronously (invalid header value).
   */
  constructor(url: URL, options: HandshakeOptions, sink: HandshakeSink) {
    this.#sink = sink;
    this.#protocols = options.protocols;
    const crypto = builtin("node:crypto");
    this.#key = crypto.randomBytes(16).toString("base64");
    const secure = url.protocol === "wss:";
    const headers: Record<string, string> = {
      ...options.headers,
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": this.#key,
      Connection: "Upgrade",
      Upgrade: "websocket",
    };
    if (options.protocols.length > 0) {
      headers["Sec-WebSocket-Protocol"] = options.protocols.join(",");
    }
    const requestOptions: Record<string, unknown> = {
      ...(secure ? options.tls : undefined),
      headers,
      defaultPort: secure ? 443 : 80,
    };
    if (options.agent !== undefined) requestOptions["agent"] = options.agent;
    else requestOptions["createConnection"] = connector(secure);
    const httpUrl = `${secure ? "https:" : "http:"}${url.href.slice(url.protocol.length)}`;
    const module = builtin(secure ? "node:https" : "node:http");
    const req = module.request(httpUrl, requestOptions);
    this.#request = req;
    req.on("response", (res) => this.#onResponse(res));
    req.on("upgrade", (res, socket, head) => this.#onUpgrade(res, socket, head));
    req.on("error", (err) => this.#fail(err));
    req.end();
  }

  /** Gives up: the request is destroyed and the sink hears `err`. */
  abort(err: unknown): void {
    this.#fail(err);
  }

  #fail(err: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#request.destroy();
    this.#sink.onHandshakeError(err);
  }

  #onResponse(res: NodeIncomingMessage): void {
    res.resume();
    this.#fail(
      new WebSocketHandshakeError(`Unexpected server response: ${res.statusCode}`, res.statusCode),
    );
  }

  #onUpgrade(res: NodeIncomingMessage, socket: NetSocket, head: NodeBuffer): void {
    if (this.#done) {
      socket.destroy();
      return;
    }
    const problem = this.#check(res);
    if (problem !== undefined) {
      socket.destroy();
      this.#fail(new WebSocketHandshakeError(problem, res.statusCode));
      return;
    }
    this.#done = true;
    this.#sink.onUpgrade(socket, head, header(res, "sec-websocket-protocol") ?? "");
  }

  /** What is wrong with the 101 answer, if anything (the `ws` messages). */
  #check(res: NodeIncomingMessage): string | undefined {
    if (header(res, "upgrade")?.toLowerCase() !== "websocket") return "Invalid Upgrade header";
    const expected = builtin("node:crypto")
      .createHash("sha1")
      .update(this.#key + GUID)
      .digest("base64");
    if (header(res, "sec-websocket-accept") !== expected) {
      return "Invalid Sec-WebSocket-Accept header";
    }
    const protocol = header(res, "sec-websocket-protocol");
    if (protocol !== undefined) {
      if (this.#protocols.length === 0) return "Server sent a subprotocol but none was requested";
      if (!this.#protocols.includes(protocol)) return "Server sent an invalid subprotocol";
    } else if (this.#protocols.length > 0) {
      return "Server sent no subprotocol";
    }
    if (header(res, "sec-websocket-extensions") !== undefined) {
      return "Server sent a Sec-WebSocket-Extensions header but no extension was requested";
    }
    return undefined;
  }
}
