import { decodeClusterMessage, MessageType } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import type { RedisClient } from "./clients/wrap.js";
import { Emitter } from "./emitter.js";

function fakeClient() {
  const sent: Array<{ command: string; channel: string; payload: Buffer }> = [];
  const record = (command: string) => (channel: string, payload: Buffer) => {
    sent.push({ command, channel, payload });
    return Promise.resolve(1);
  };
  const client = { publish: record("publish"), spublish: record("spublish") };
  return { client: client as unknown as RedisClient, sent };
}

describe("Emitter", () => {
  it("publishes a broadcast as node 'emitter' on the room's channel", () => {
    const { client, sent } = fakeClient();
    new Emitter(client).to("room1").except("x").volatile.emit("news", { a: 1 });
    expect(sent.map((s) => [s.command, s.channel])).toEqual([
      ["publish", "socket.io#%2F#r#room1#"],
    ]);
    const decoded = decodeClusterMessage(new Uint8Array(sent[0]?.payload ?? []));
    expect(decoded).toEqual({
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

  it("uses the main channel for several rooms, other namespaces, sharded mode and a custom key", () => {
    const { client, sent } = fakeClient();
    const emitter = new Emitter(client, { key: "app", sharded: true });
    emitter.to(["a", "b"]).emit("e");
    emitter.of("admin").serverSideEmit("reload", 1);
    emitter.in("a").socketsJoin("b");
    emitter.socketsLeave("c");
    emitter.to("a").disconnectSockets(true);
    expect(sent.map((s) => [s.command, s.channel])).toEqual([
      ["spublish", "app#%2F#"],
      ["spublish", "app#%2Fadmin#"],
      ["spublish", "app#%2F#r#a#"],
      ["spublish", "app#%2F#"],
      ["spublish", "app#%2F#r#a#"],
    ]);
    const types = sent.map((s) => {
      const result = decodeClusterMessage(new Uint8Array(s.payload));
      return result.ok ? result.message.type : -1;
    });
    expect(types).toEqual([3, 9, 4, 5, 6]);
  });

  it("refuses reserved event names and acks", () => {
    const { client } = fakeClient();
    const emitter = new Emitter(client);
    expect(() => emitter.emit("connect")).toThrow(
      expect.objectContaining({ code: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT" }),
    );
    expect(() => emitter.emit("e", () => undefined)).toThrow();
    expect(() => emitter.serverSideEmit("connection")).toThrow();
  });

  it("hands publish failures to onError instead of rejecting", async () => {
    const failing = {
      publish: () => Promise.reject(new Error("down")),
    } as unknown as RedisClient;
    const errors: unknown[] = [];
    new Emitter(failing, { onError: (err) => errors.push(err) }).emit("e");
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([
      expect.objectContaining({ code: "SY_ERR_ADAPTER_REDIS_CLIENT_ERROR" }),
    ]);
  });
});
