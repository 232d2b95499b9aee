// WebSocket transport: one Engine.IO packet per frame, binary as binary frames unless
// `forceBase64` (docs/protocol.md §1.8). The socket itself comes from the platform hooks.
import {
  type EnginePacket,
  encodeEnginePacket,
  encodeEnginePacketAsync,
} from "@switchyard/protocol";
import { platform, type WebSocketLike } from "../platform.js";
import { Transport } from "./transport.js";

/** WebSocket transport. */
export class WebSocketTransport extends Transport {
  readonly name = "websocket";
  #ws: WebSocketLike | undefined;

  protected doOpen(): void {
    const opts = this.opts;
    let created: WebSocketLike | Promise<WebSocketLike>;
    try {
      created = platform().createWebSocket(
        this.uri("ws", !!opts.timestampRequests),
        opts.protocols,
        opts as Readonly<Record<string, unknown>>,
        this.owner.jar,
      );
    } catch (err) {
      this.onError("websocket error", err);
      return;
    }
    Promise.resolve(created).then(
      (ws) => this.#attach(ws),
      (err: unknown) => this.onError("websocket error", err),
    );
  }

  #attach(ws: WebSocketLike): void {
    if (this.readyState === "closed") {
      ws.onerror = () => {};
      ws.close();
      return;
    }
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.onOpen();
    ws.onclose = (event) => {
      this.onClose({ description: "websocket connection closed", context: event });
    };
    ws.onmessage = (event) => this.onData(event.data);
    ws.onerror = (event) => {
      this.onError("websocket error", event);
    };
  }

  protected write(packets: EnginePacket[]): void {
    this.writable = false;
    const supportsBinary = this.opts.forceBase64 !== true;
    // Binary frames need no conversion: send synchronously, so a close() right after a write
    // cannot overtake it. Only Blobs forced to base64 need the async encoder.
    if (supportsBinary)
      this.#sendFrames(
        packets,
        packets.map((p) => encodeEnginePacket(p, true)),
      );
    else {
      Promise.all(packets.map((p) => encodeEnginePacketAsync(p, false))).then(
        (frames) => this.#sendFrames(packets, frames),
        (err: unknown) => this.onError("websocket error", err),
      );
    }
  }

  #sendFrames(packets: EnginePacket[], frames: unknown[]): void {
    const ws = this.#ws;
    frames.forEach((frame, i) => {
      try {
        // Browsers ignore the options; `ws` compresses unless told not to.
        ws?.send(frame, { compress: packets[i]?.options?.compress !== false });
      } catch {
        // The socket is closing; its close event reports the failure.
      }
    });
    // Let the send complete before reporting writable, as engine.io-client does (a microtask, as
    // its browser build: no timer, so fake timers cannot hold the connection back).
    queueMicrotask(() => {
      this.writable = true;
      this.emitReserved("drain");
    });
  }

  protected doClose(): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    ws.onerror = () => {};
    ws.onclose = null;
    ws.close();
    this.#ws = undefined;
  }
}
