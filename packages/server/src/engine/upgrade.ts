// Polling → websocket upgrade (docs/protocol.md §1.6): `2probe` → `3probe` and `upgrading`, a noop to
// the polling transport every 100 ms, then `5` swaps transports. Anything else aborts the probe.
import type { EnginePacket } from "@switchyard/protocol";
import { EncodedPacket } from "../transport/encoded-packet.js";
import type { Transport, TransportSink } from "../transport/transport.js";

/** What the probe needs from its session. */
export interface UpgradeHost {
  /** The transport in use now (polling while the probe runs). */
  readonly currentTransport: Transport;
  /** True once the session is closed. */
  readonly isClosed: boolean;
  /** The probe was answered: emit `upgrading`. */
  onUpgrading(transport: Transport): void;
  /** The client sent `5`: switch to the new transport. */
  onUpgraded(transport: Transport): void;
  /** The probe is over (either way). */
  onUpgradeEnd(): void;
}

/** How often the pending poll is released with a noop while upgrading. */
export const UPGRADE_NOOP_INTERVAL_MS = 100;

const NOOP = new EncodedPacket("noop");
const PONG_PROBE = new EncodedPacket("pong", "probe");

/** The state machine of one upgrade attempt; the new transport's sink until it ends. */
export class UpgradeProbe implements TransportSink {
  readonly #transport: Transport;
  readonly #host: UpgradeHost;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #noopTimer: NodeJS.Timeout | undefined;
  #done = false;

  constructor(transport: Transport, host: UpgradeHost, upgradeTimeoutMs: number) {
    this.#transport = transport;
    this.#host = host;
    this.#timeoutTimer = setTimeout(() => this.abort(), upgradeTimeoutMs);
    transport.bind(this);
  }

  onPacket(packet: EnginePacket): void {
    if (this.#done) return;
    if (packet.type === "ping" && packet.data === "probe") {
      this.#transport.send([{ encoded: PONG_PROBE, compress: false }], () => {});
      clearInterval(this.#noopTimer);
      this.#noopTimer = setInterval(() => this.#releasePoll(), UPGRADE_NOOP_INTERVAL_MS);
      // Last: an `upgrading` listener may close the session, which aborts this probe and must
      // find the interval already set so that it is cleared.
      this.#host.onUpgrading(this.#transport);
      return;
    }
    if (packet.type === "upgrade" && !this.#host.isClosed) {
      this.#finish();
      this.#host.onUpgraded(this.#transport);
      return;
    }
    this.abort();
  }

  onParseError(): void {
    this.abort();
  }

  onError(): void {
    this.abort();
  }

  onClose(): void {
    this.abort();
  }

  onWritable(): void {}

  /** Gives up: the new transport is closed, the session keeps its current one. */
  abort(): void {
    if (this.#done) return;
    this.#finish();
    this.#transport.close();
  }

  #releasePoll(): void {
    const current = this.#host.currentTransport;
    // A transport served by plain requests holds a GET: release it.
    if (!current.handlesUpgrades && current.writable) {
      current.send([{ encoded: NOOP, compress: false }], () => {});
    }
  }

  #finish(): void {
    this.#done = true;
    clearTimeout(this.#timeoutTimer);
    clearInterval(this.#noopTimer);
    this.#host.onUpgradeEnd();
  }
}
