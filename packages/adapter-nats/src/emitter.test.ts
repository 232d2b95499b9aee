import { decodeClusterMessage, MessageType } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { Emitter, type NatsPublisher } from "./emitter.js";

function fakeConnection() {
  const sent: Array<{ subject: string; payload: Uint8Array }> = [];
  const nc: NatsPublisher = {
    publish: (subject, payload) => {
      sent.push({ subject, payload: payload as Uint8Array });
    },
  };
  return { nc, sent };
}

function typeOf(payload: Uint8Array): number {
  const result = decodeClusterMessage(payload);
  return result.ok ? result.message.type : -1;
}

describe("Emitter", () => {
  it("publishes a broadcast as node 'emitter' on the room's subject", () => {
    const { nc, sent } = fakeConnection();
    new Emitter(nc).to("room1").except("x").volatile.emit("news", { a: 1 });
    expect(sent.map((s) => s.subject)).toEqual(["socket.io.bLw.r.proom1"]);
    expect(decodeClusterMessage(sent[0]?.payload ?? new Uint8Array())).toEqual({
      ok: true,
      message: {
        v: 1,
        uid: "emitter",
        nsp: "/",
        type: MessageType.BROADCAST,
        data: {
          opts: { rooms: ["room1"], except: ["x"], flags: { volatile: true } },
          packet: { type: 2, nsp: "/", data: ["news", { a: 1 }] },
        },
      },
    });
  });

  it("uses the namespace subject for several rooms, other namespaces and a custom prefix", () => {
    const { nc, sent } = fakeConnection();
    const emitter = new Emitter(nc, { prefix: "app" });
    emitter.to(["a", "b"]).emit("e");
    emitter.of("admin").serverSideEmit("reload", 1);
    emitter.in("a").socketsJoin("b");
    emitter.socketsLeave("c");
    emitter.to("a").compress(false).disconnectSockets(true);
    expect(sent.map((s) => s.subject)).toEqual([
      "app.bLw.a",
      "app.bL2FkbWlu.a",
      "app.bLw.r.pa",
      "app.bLw.a",
      "app.bLw.r.pa",
    ]);
    expect(sent.map((s) => typeOf(s.payload))).toEqual([3, 9, 4, 5, 6]);
  });

  it("sends single-room operations to the namespace subject when room subjects are off", () => {
    const { nc, sent } = fakeConnection();
    new Emitter(nc, { roomChannels: false }).to("a").emit("e");
    expect(sent.map((s) => s.subject)).toEqual(["socket.io.bLw.a"]);
  });

  it("refuses reserved event names, acks and an invalid prefix", () => {
    const { nc } = fakeConnection();
    const emitter = new Emitter(nc);
    const invalid = expect.objectContaining({ code: "SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT" });
    expect(() => emitter.emit("connect")).toThrow(invalid);
    expect(() => emitter.emit("e", () => undefined)).toThrow(invalid);
    expect(() => emitter.serverSideEmit("connection")).toThrow(invalid);
    expect(() => new Emitter(nc, { prefix: "a.>" })).toThrow(invalid);
  });

  it("hands publish failures to onError instead of throwing", () => {
    const failing: NatsPublisher = {
      publish: () => {
        throw new Error("connection closed");
      },
    };
    const errors: unknown[] = [];
    const result = new Emitter(failing, { onError: (err) => errors.push(err) }).emit("e");
    expect(result).toBe(true);
    expect(errors).toEqual([
      expect.objectContaining({ code: "SY_ERR_ADAPTER_NATS_CONNECTION_ERROR" }),
    ]);
  });

  it("needs the NatsConnection itself for recovery (JetStream), not a publisher", () => {
    const { nc } = fakeConnection();
    expect(() => new Emitter(nc, { recovery: true })).toThrow(
      expect.objectContaining({ code: "SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT" }),
    );
  });
});
