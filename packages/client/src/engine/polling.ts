// HTTP long-polling transport: one GET in flight to receive, one POST at a time to send
// (docs/protocol.md §1.4). Requests go through the platform hooks with fetch's shape: fetch itself in
// browsers, node:http(s) with keep-alive agents in Node (node/poll-request.ts). No XHR path.
import {
  decodeEnginePayload,
  type EnginePacket,
  encodeEnginePayloadAsync,
} from "@switchyard/protocol";
import { type PollInit, platform } from "../platform.js";
import { startTimer } from "../timers.js";
import { Transport } from "./transport.js";

/** Long-polling transport. */
export class Polling extends Transport {
  readonly name = "polling";
  #polling = false;
  #getAbort: AbortController | undefined;

  protected doOpen(): void {
    this.#poll();
  }

  /** Waits for the in-flight GET and POST to finish, then reports paused. */
  override pause(onPause: () => void): void {
    this.readyState = "pausing";
    // One count for this call itself, released below once the waits are registered.
    let pending = 1;
    const done = (): void => {
      if (--pending > 0) return;
      this.readyState = "paused";
      onPause();
    };
    if (this.#polling) {
      pending++;
      this.once("pollComplete", done);
    }
    if (!this.writable) {
      pending++;
      this.once("drain", done);
    }
    done();
  }

  protected doClose(): void {
    const close = (): void => {
      this.write([{ type: "close" }]);
    };
    if (this.readyState === "open") close();
    else this.once("open", close);
  }

  protected write(packets: EnginePacket[]): void {
    this.writable = false;
    encodeEnginePayloadAsync(packets)
      .then((body) => this.#request("POST", body))
      .then(
        (ok) => {
          if (ok !== undefined) {
            this.writable = true;
            this.emitReserved("drain");
          }
          // A close POST is done: the server answers the pending GET, or it is no longer needed.
          if (this.readyState === "closed") this.#getAbort?.abort();
        },
        () => {},
      );
  }

  #poll(): void {
    this.#polling = true;
    // #request never rejects: it reports failures itself.
    void this.#request("GET").then((body) => {
      if (body !== undefined) this.#onPayload(body);
    });
    this.emitReserved("poll");
  }

  #onPayload(payload: string): void {
    const { packets, error } = decodeEnginePayload(payload, this.owner.binaryType);
    for (const packet of packets) {
      if (this.readyState === "opening" && packet.type === "open") this.onOpen();
      if (packet.type === "close") {
        this.onClose({ description: "transport closed by the server" });
        return;
      }
      this.emitReserved("packet", packet);
    }
    if (error !== undefined) {
      this.onError("parse error", error);
      return;
    }
    if (this.readyState !== "closed") {
      this.#polling = false;
      this.emitReserved("pollComplete");
      if (this.readyState === "open") this.#poll();
    }
  }

  /** One request; resolves with the body, or undefined after reporting the error. */
  async #request(method: "GET" | "POST", body?: string): Promise<string | undefined> {
    const opts = this.opts;
    // fetch labels a string body text/plain;charset=UTF-8 itself.
    const headers: Record<string, string> = { ...opts.extraHeaders };
    const controller = new AbortController();
    if (method === "GET") this.#getAbort = controller;
    const timeout = opts.requestTimeout;
    const stopTimer =
      timeout === undefined ? undefined : startTimer(opts, () => controller.abort(), timeout);
    const reason = method === "GET" ? "xhr poll error" : "xhr post error";
    try {
      const init: PollInit = {
        method,
        headers,
        credentials: opts.withCredentials ? "include" : "same-origin",
        signal: controller.signal,
        body: body ?? null,
      };
      const response = await platform().request(
        this.uri("http", this.opts.timestampRequests !== false),
        init,
        opts,
        this.owner.jar,
      );
      const text = await response.text();
      if (!response.ok) {
        this.onError(reason, response.status, response);
        return undefined;
      }
      return text;
    } catch (err) {
      if (this.readyState !== "closed") this.onError(reason, err);
      return undefined;
    } finally {
      stopTimer?.();
    }
  }
}
