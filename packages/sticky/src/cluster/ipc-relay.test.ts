import { describe, expect, it } from "vitest";
import {
  IPC_ADAPTER_MARKER,
  type RelayToWorkerMessage,
  readRelayMessage,
  readWorkerMessage,
  topicKey,
} from "../ipc/adapter-message.js";
import { IpcRelay, type RelayPeer } from "./ipc-relay.js";

const marker = IPC_ADAPTER_MARKER;

function peer(): RelayPeer & { got: RelayToWorkerMessage[] } {
  const got: RelayToWorkerMessage[] = [];
  return {
    got,
    send: (message) => {
      got.push(message);
      return true;
    },
  };
}

const sub = (nsp: string, target: object, id: number) => ({
  marker,
  kind: "subscribe",
  nsp,
  target,
  id,
});
const pub = (nsp: string, target: object, payload: string) => ({
  marker,
  kind: "publish",
  nsp,
  target,
  payload,
});

describe("topicKey", () => {
  it("cannot be forged by separator characters in namespace or room names", () => {
    const a = topicKey("/a", { kind: "room", room: 'b","room' });
    const b = topicKey('/a","room', { kind: "room", room: "b" });
    expect(a).not.toBe(b);
    expect(topicKey("/", { kind: "node", uid: "x" })).not.toBe(
      topicKey("/", { kind: "room", room: "x" }),
    );
  });
});

describe("readWorkerMessage / readRelayMessage", () => {
  it("tells foreign values from malformed adapter messages", () => {
    for (const value of [null, 1, "x", { kind: "publish" }, { marker: "switchyard:sticky" }]) {
      expect(readWorkerMessage(value)).toEqual({ ok: false, reason: "foreign" });
      expect(readRelayMessage(value)).toEqual({ ok: false, reason: "foreign" });
    }
    for (const value of [
      { marker, kind: "publish", nsp: "/", target: { kind: "all" }, payload: 1 },
      { marker, kind: "publish", nsp: 1, target: { kind: "all" }, payload: "" },
      { marker, kind: "subscribe", nsp: "/", target: { kind: "room" }, id: 1 },
      { marker, kind: "subscribe", nsp: "/", target: { kind: "all" }, id: -1 },
      { marker, kind: "other", nsp: "/", target: { kind: "all" } },
    ]) {
      expect(readWorkerMessage(value)).toEqual({ ok: false, reason: "malformed" });
    }
    for (const value of [
      { marker, kind: "deliver", topic: 1, payload: "" },
      { marker, kind: "subscribed", id: "1" },
      { marker, kind: "gone", nodes: [{ nsp: "/" }] },
      { marker, kind: "gone", nodes: "x" },
    ]) {
      expect(readRelayMessage(value)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});

describe("IpcRelay", () => {
  it("confirms subscriptions and relays publishes to the other subscribers only", () => {
    const relay = new IpcRelay();
    const [a, b, c] = [peer(), peer(), peer()];
    const all = { kind: "all" } as const;
    relay.receive(a, sub("/", all, 1));
    relay.receive(b, sub("/", all, 7));
    relay.receive(c, sub("/", { kind: "room", room: "r" }, 2));
    expect(a.got).toEqual([{ marker, kind: "subscribed", id: 1 }]);
    expect(b.got).toEqual([{ marker, kind: "subscribed", id: 7 }]);
    relay.receive(a, pub("/", all, "AQI="));
    expect(a.got).toHaveLength(1);
    expect(b.got[1]).toEqual({
      marker,
      kind: "deliver",
      topic: topicKey("/", all),
      payload: "AQI=",
    });
    expect(c.got).toHaveLength(1);
    relay.receive(a, pub("/", { kind: "room", room: "r" }, "AA=="));
    relay.receive(a, pub("/other", all, "AA=="));
    expect(c.got).toHaveLength(2);
    expect(b.got).toHaveLength(2);
    relay.receive(c, {
      marker,
      kind: "unsubscribe",
      nsp: "/",
      target: { kind: "room", room: "r" },
    });
    relay.receive(a, pub("/", { kind: "room", room: "r" }, "AA=="));
    expect(c.got).toHaveLength(2);
    expect(relay.stats()).toMatchObject({ peers: 2, topics: 1, published: 4, delivered: 2 });
  });

  it("ignores foreign values and counts malformed ones without throwing", () => {
    const relay = new IpcRelay();
    const a = peer();
    expect(relay.receive(a, { cmd: "app" })).toBe(false);
    expect(relay.receive(a, { marker, kind: "publish" })).toBe(true);
    expect(relay.receive(a, { marker, kind: "subscribe", nsp: "/", target: {}, id: 1 })).toBe(true);
    expect(a.got).toEqual([]);
    expect(relay.stats()).toMatchObject({ ignored: 1, malformed: 2, peers: 0 });
  });

  it("drops a removed peer's subscriptions and tells the others which nodes are gone", () => {
    const relay = new IpcRelay();
    const [a, b] = [peer(), peer()];
    relay.receive(a, sub("/", { kind: "all" }, 1));
    relay.receive(a, sub("/", { kind: "node", uid: "uid-a" }, 2));
    relay.receive(a, sub("/chat", { kind: "node", uid: "uid-a2" }, 3));
    relay.receive(b, sub("/", { kind: "all" }, 1));
    relay.remove(a);
    relay.remove(a);
    expect(b.got.at(-1)).toEqual({
      marker,
      kind: "gone",
      nodes: [
        { nsp: "/", uid: "uid-a" },
        { nsp: "/chat", uid: "uid-a2" },
      ],
    });
    expect(b.got).toHaveLength(2);
    relay.receive(b, pub("/", { kind: "all" }, "AA=="));
    expect(a.got).toHaveLength(3);
    expect(relay.stats()).toMatchObject({ peers: 1, topics: 1, peersGone: 1 });
  });

  it("counts the messages a peer could not take (gone or backlogged) as dropped", () => {
    const relay = new IpcRelay();
    const a = peer();
    const stuck: RelayPeer = { send: () => false };
    relay.receive(stuck, sub("/", { kind: "all" }, 1));
    relay.receive(a, pub("/", { kind: "all" }, "AA=="));
    expect(relay.stats()).toMatchObject({ delivered: 0, dropped: 2 });
  });
});
