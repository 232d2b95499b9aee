// HTTP long-polling (docs/protocol.md §1.4): GET holds until packets are ready, POST pushes a payload.
// At most one GET and one POST in flight; bodies are counted while they stream (413 past the limit).
import { EventEmitter } from "node:events";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { decodeEnginePayload, RECORD_SEPARATOR } from "@switchyard/protocol";
import { TransportError } from "../engine/errors.js";
import type { HttpCompressionOptions } from "../engine/options.js";
import { deferListenerTable } from "../listener-table.js";
import { transportLog } from "../log.js";
import { EncodedPacket } from "./encoded-packet.js";
import { compressBody, negotiateEncoding } from "./polling-compression.js";
import type {
  OutboundPacket,
  RequestTransport,
  TransportEvents,
  TransportSink,
} from "./transport.js";

/** What the polling transport needs from the engine. */
export interface PollingOptions {
  readonly maxHttpBufferSize: number;
  readonly httpCompression: false | HttpCompressionOptions;
  /** Lets the engine add or edit response headers (cookie, `headers` events). */
  readonly decorateHeaders: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
}

/** How long a close waits for the next GET before the session is dropped anyway. */
export const POLLING_CLOSE_TIMEOUT_MS = 30_000;

const NOOP_SINK: TransportSink = {
  onPacket: () => {},
  onParseError: () => {},
  onError: () => {},
  onClose: () => {},
  onWritable: () => {},
};

const NOOP = new EncodedPacket("noop");

function isOldInternetExplorer(req: IncomingMessage): boolean {
  const agent = req.headers["user-agent"];
  return typeof agent === "string" && (agent.includes(";MSIE") || agent.includes("Trident/"));
}

/**
 * Ends a request without an answer. HTTP/1: the socket is destroyed (destroying a fully read
 * IncomingMessage would leave it open). HTTP/2 compat requests: only their stream is reset.
 */
function cutOff(req: IncomingMessage, answered = false): void {
  const stream = (req as { stream?: { close(code?: number): void } }).stream;
  // After a complete answer, NO_ERROR tells the client to stop sending the body (RFC 9113 §8.1).
  if (stream !== undefined) stream.close(answered ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL);
  else req.socket.destroy();
}

const NGHTTP2_NO_ERROR = 0x0;
const NGHTTP2_CANCEL = 0x8;

function onceFinished(res: ServerResponse, callback: () => void): void {
  let done = false;
  const fire = (): void => {
    if (done) return;
    done = true;
    callback();
  };
  res.once("finish", fire);
  res.once("close", fire);
}

/** The polling transport of one session. */
export class PollingTransport extends EventEmitter<TransportEvents> implements RequestTransport {
  readonly name = "polling" as const;
  /** Served by plain requests (engine.io's polling has no `handlesUpgrades`, i.e. falsy). */
  readonly handlesUpgrades = false;
  #sink: TransportSink = NOOP_SINK;
  readonly #options: PollingOptions;
  #pollReq: IncomingMessage | undefined;
  #pollRes: ServerResponse | undefined;
  #dataReq: IncomingMessage | undefined;
  #dataRes: ServerResponse | undefined;
  #dataComplete = false;
  #writable = false;
  #state: "open" | "closing" | "closed" = "open";
  #discarded = false;
  #pendingClose: (() => void) | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(options: PollingOptions) {
    super();
    // No listener table until the first listener (most transports never get one).
    deferListenerTable(this);
    this.#options = options;
  }

  get writable(): boolean {
    return this.#writable;
  }

  get canFlush(): boolean {
    return this.#writable;
  }

  get bufferedBytes(): number {
    return 0;
  }

  bind(sink: TransportSink): void {
    this.#sink = sink;
  }

  /** Routes one HTTP request of this session: GET polls, POST pushes, anything else is a 500. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (transportLog.enabled) transportLog.log("polling %s %s", req.method, req.url);
    if (req.method === "GET") this.#onPollRequest(req, res);
    else if (req.method === "POST") this.#onDataRequest(req, res);
    else res.writeHead(500).end();
  }

  #onPollRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#pollRes !== undefined) {
      res.writeHead(400).end();
      this.#fail("overlap from client");
      return;
    }
    this.#pollReq = req;
    this.#pollRes = res;
    res.once("close", () => {
      if (this.#pollRes === res) {
        this.#pollReq = undefined;
        this.#pollRes = undefined;
        this.#writable = false;
        this.#fail("poll connection closed prematurely");
      }
    });
    this.#writable = true;
    this.#sink.onWritable();
    this.emit("ready");
    // A close waiting for this GET goes out behind a noop, as officially: "6\x1e1".
    if (this.#writable && this.#pendingClose !== undefined) {
      this.send([{ encoded: NOOP, compress: false }], () => {});
    }
  }

  #onDataRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#dataRes !== undefined) {
      res.writeHead(400).end();
      this.#fail("data request overlap from client");
      return;
    }
    if (req.headers["content-type"] === "application/octet-stream") {
      res.writeHead(400).end();
      this.#fail("invalid content");
      return;
    }
    this.#dataReq = req;
    this.#dataRes = res;
    this.#dataComplete = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      if (this.#dataRes === res) {
        this.#dataReq = undefined;
        this.#dataRes = undefined;
      }
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= this.#options.maxHttpBufferSize) {
        chunks.push(chunk);
        return;
      }
      // Stop buffering at once; the connection is closed after the 413 so the rest of an
      // oversized body is never read.
      chunks.length = 0;
      cleanup();
      const headers: OutgoingHttpHeaders = req.httpVersionMajor < 2 ? { Connection: "close" } : {};
      res.writeHead(413, headers).end(() => cutOff(req, true));
    };
    const onEnd = (): void => {
      req.off("data", onData);
      this.#dataComplete = true;
      this.#onPayload(Buffer.concat(chunks).toString("utf8"));
      cleanup();
      if (res.writableEnded || res.destroyed) return;
      const headers: OutgoingHttpHeaders = { "Content-Type": "text/html", "Content-Length": "2" };
      res.writeHead(200, this.#headers(req, headers)).end("ok");
    };
    res.once("close", () => {
      if (this.#dataRes === res) {
        cleanup();
        this.#fail("data request connection closed prematurely");
      }
    });
    req.on("data", onData);
    req.on("end", onEnd);
  }

  #onPayload(payload: string): void {
    const { packets, error } = decodeEnginePayload(payload, "nodebuffer");
    // A transport "closing" (a server close waiting for the next GET) still hears the peer: a
    // `1` from the client ends the session now ("transport close"), as officially.
    for (const packet of packets) {
      if (this.#state === "closed") return;
      if (packet.type === "close") {
        this.#onPeerClose();
        return;
      }
      this.#sink.onPacket(packet);
      this.emit("packet", packet);
    }
    if (error !== undefined && this.#state !== "closed") this.#sink.onParseError(error);
  }

  #onPeerClose(): void {
    // The pending GET is released with a noop so the client sees its poll end (docs/protocol.md §1.4).
    if (this.#writable)
      this.send([{ encoded: new EncodedPacket("noop"), compress: false }], () => {});
    const sink = this.#sink;
    this.#setClosed();
    sink.onClose();
    this.emit("close");
  }

  /**
   * The transport is closed: it reports nothing more, and a POST still streaming its body is cut
   * off now rather than left to hang until the client gives up (a close deferred to the next GET
   * can end with a POST in progress that started after the close).
   */
  #setClosed(): void {
    clearTimeout(this.#closeTimer);
    this.#pendingClose = undefined;
    this.#state = "closed";
    this.#sink = NOOP_SINK;
    this.#cutOffDataRequest();
  }

  /** A POST still streaming is cut off; one fully read is answered "ok" by its own handler. */
  #cutOffDataRequest(): void {
    const dataReq = this.#dataReq;
    if (dataReq === undefined || this.#dataComplete) return;
    this.#dataReq = undefined;
    this.#dataRes = undefined;
    cutOff(dataReq);
  }

  #fail(description: string): void {
    const error = new TransportError(description);
    this.#sink.onError(error);
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  send(packets: readonly OutboundPacket[], onSent: () => void): void {
    const req = this.#pollReq;
    const res = this.#pollRes;
    if (req === undefined || res === undefined) return;
    this.#writable = false;
    this.#pollReq = undefined;
    this.#pollRes = undefined;
    let body = "";
    let compress = false;
    for (const [index, packet] of packets.entries()) {
      if (index > 0) body += RECORD_SEPARATOR;
      body += packet.encoded.pollingText();
      compress ||= packet.compress;
    }
    const closed = this.#pendingClose;
    if (closed !== undefined) {
      body += body.length > 0 ? `${RECORD_SEPARATOR}1` : "1";
      this.#pendingClose = undefined;
    }
    onceFinished(res, () => {
      onSent();
      this.emit("drain");
    });
    this.#respond(req, res, body, compress);
    closed?.();
  }

  /** Headers of every polling answer (GET and POST), then the engine's `headers` hooks. */
  #headers(req: IncomingMessage, headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    if (isOldInternetExplorer(req)) headers["X-XSS-Protection"] = "0";
    headers["cache-control"] = "no-store";
    this.#options.decorateHeaders(headers, req);
    return headers;
  }

  #respond(req: IncomingMessage, res: ServerResponse, body: string, compress: boolean): void {
    const headers = this.#headers(req, { "Content-Type": "text/plain; charset=UTF-8" });
    const compression = this.#options.httpCompression;
    const threshold = compression === false ? 0 : (compression.threshold ?? 1024);
    // Bytes, not characters: the body is UTF-8 and may hold multibyte text.
    const bodyBytes = Buffer.byteLength(body);
    const encoding =
      compression !== false && compress && bodyBytes >= threshold
        ? negotiateEncoding(req)
        : undefined;
    if (compression === false || encoding === undefined) {
      headers["Content-Length"] = bodyBytes;
      res.writeHead(200, headers).end(body);
      return;
    }
    compressBody(encoding, body, compression, (error, result) => {
      if (res.destroyed) return;
      if (error !== null) {
        res.destroy();
        return;
      }
      headers["Content-Encoding"] = encoding;
      headers["Content-Length"] = result.length;
      res.writeHead(200, headers).end(result);
    });
  }

  discard(): void {
    this.#discarded = true;
  }

  close(onClosed?: () => void): void {
    if (this.#state === "closing" && this.#discarded) {
      // A close deferred to the next GET, overtaken by a discard (the session closed another
      // way, the engine shuts down, or an upgrade completed): stop waiting now, so no 30 s
      // timer outlives the session. Only the new caller is told.
      this.#finishClose(onClosed);
      return;
    }
    if (this.#state !== "open") return;
    this.#state = "closing";
    // A POST still streaming its body is cut off: its payload is no longer wanted. One fully read
    // (its packets are being handled, e.g. the parse error that closes us) is still answered
    // "ok", as officially.
    this.#cutOffDataRequest();
    if (this.#writable) {
      this.#pendingClose = () => {};
      this.send([], () => {});
      this.#finishClose(onClosed);
    } else if (this.#discarded) {
      this.#finishClose(onClosed);
    } else {
      const finish = (): void => this.#finishClose(onClosed);
      this.#pendingClose = finish;
      this.#closeTimer = setTimeout(finish, POLLING_CLOSE_TIMEOUT_MS);
    }
  }

  #finishClose(onClosed: (() => void) | undefined): void {
    this.#setClosed();
    onClosed?.();
    this.emit("close");
  }
}
