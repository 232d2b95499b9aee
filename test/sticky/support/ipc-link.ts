// Simulated node:cluster IPC for the IPC adapter: each link is one "worker" channel to an
// in-process IpcRelay, with what real IPC does to messages (JSON round trip, asynchronous
// delivery, order kept per channel).
import { IpcBus, type IpcChannel, type IpcRelay, type RelayPeer } from "@switchyard/sticky";

export interface IpcLink {
  readonly bus: IpcBus;
  readonly peer: RelayPeer;
  /** Sends a raw value to the worker, as the primary could. */
  toWorker(value: unknown): void;
  /** The worker dies: its channel closes and the relay learns it. */
  kill(): void;
}

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** One worker's channel to `relay`; without a relay nothing answers (a primary that runs none). */
export function ipcLink(relay: IpcRelay | undefined, subscribeTimeoutMs = 2000): IpcLink {
  const listeners = new Set<(value: unknown) => void>();
  let alive = true;
  const toWorker = (value: unknown): void => {
    if (!alive) return;
    const copy = roundTrip(value);
    setImmediate(() => {
      for (const listener of listeners) listener(copy);
    });
  };
  const peer: RelayPeer = {
    send: (message) => {
      toWorker(message);
      return alive;
    },
  };
  const channel: IpcChannel = {
    send(message, callback) {
      if (!alive) return callback(new Error("channel closed"));
      const copy = roundTrip(message);
      setImmediate(() => {
        relay?.receive(peer, copy);
        callback(null);
      });
    },
    listen: (listener) => listeners.add(listener),
    unlisten: (listener) => listeners.delete(listener),
  };
  return {
    bus: new IpcBus(channel, { subscribeTimeoutMs }),
    peer,
    toWorker,
    kill() {
      alive = false;
      relay?.remove(peer);
    },
  };
}
