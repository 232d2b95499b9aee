import { describe, expect, it } from "vitest";
import type { ClientEvents } from "./bus-client.js";
import { isNodeRedis, NodeRedisBusClient, type NodeRedisClient } from "./node-redis-client.js";
import { busClientOf } from "./wrap.js";

type Listener = (message: Buffer, channel: Buffer) => void;

/** A node-redis look-alike that records calls and keeps one listener set per channel. */
function fakeNodeRedis(cluster = false) {
  const calls: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const sub = (kind: string) => async (name: string, listener: Listener, buffers: boolean) => {
    calls.push([kind, name, buffers]);
    const set = listeners.get(name) ?? new Set();
    set.add(listener);
    listeners.set(name, set);
  };
  const unsub = (kind: string) => async (name: string, listener: Listener) => {
    calls.push([kind, name]);
    listeners.get(name)?.delete(listener);
  };
  const client = {
    isReady: true,
    isOpen: true,
    subscribe: sub("SUBSCRIBE"),
    unsubscribe: unsub("UNSUBSCRIBE"),
    pSubscribe: sub("PSUBSCRIBE"),
    pUnsubscribe: unsub("PUNSUBSCRIBE"),
    sSubscribe: sub("SSUBSCRIBE"),
    sUnsubscribe: unsub("SUNSUBSCRIBE"),
    sendCommand: async (...args: unknown[]) => {
      calls.push(["sendCommand", ...args]);
      return Buffer.from("ok");
    },
    on: () => client,
    ...(cluster ? { getMasters: () => [] } : {}),
  };
  const deliver = (name: string, channel: string, message: string): void => {
    for (const listener of listeners.get(name) ?? []) {
      listener(Buffer.from(message), Buffer.from(channel));
    }
  };
  return { client: client as unknown as NodeRedisClient, calls, listeners, deliver };
}

function events(got: unknown[][]): ClientEvents {
  return {
    message: (channel, message, pattern) => got.push([channel, message.toString(), pattern]),
    ready: () => undefined,
    lost: () => undefined,
    error: () => undefined,
  };
}

describe("node-redis clients", () => {
  it("are told apart from ioredis by pSubscribe and sendCommand", () => {
    expect(isNodeRedis(fakeNodeRedis().client)).toBe(true);
    expect(isNodeRedis({ publish: () => 1, psubscribe: () => 1 })).toBe(false);
    expect(busClientOf(fakeNodeRedis().client).library).toBe("node-redis");
  });

  it("subscribe with a buffer-mode listener, once per channel, and unsubscribe it on the last removal", async () => {
    const fake = fakeNodeRedis();
    const bus = new NodeRedisBusClient(fake.client);
    const first: unknown[][] = [];
    const second: unknown[][] = [];
    bus.listen(events(first));
    bus.listen(events(second));
    await bus.subscribe("c", false);
    await bus.subscribe("c", false);
    await bus.subscribe("s", true);
    await bus.psubscribe("p*");
    fake.deliver("c", "c", "1");
    fake.deliver("p*", "px", "2");
    expect(first).toEqual([
      ["c", "1", undefined],
      ["px", "2", "p*"],
    ]);
    expect(second).toEqual(first);
    await bus.unsubscribe("c", false);
    expect(fake.listeners.get("c")?.size).toBe(1);
    await bus.unsubscribe("c", false);
    expect(fake.listeners.get("c")?.size).toBe(0);
    expect(fake.calls.filter(([kind]) => kind !== "sendCommand")).toEqual([
      ["SUBSCRIBE", "c", true],
      ["SSUBSCRIBE", "s", true],
      ["PSUBSCRIBE", "p*", true],
      ["UNSUBSCRIBE", "c"],
    ]);
  });

  it("send raw commands asking for Buffers, routed by key on a cluster", async () => {
    const standalone = fakeNodeRedis();
    await new NodeRedisBusClient(standalone.client).publish("ch", Buffer.from("x"), true);
    const [, args, options] = standalone.calls[0] as [string, unknown[], object];
    expect(args).toEqual(["SPUBLISH", "ch", Buffer.from("x")]);
    expect(options).toMatchObject({ returnBuffers: true, typeMapping: { 36: Buffer } });
    const cluster = fakeNodeRedis(true);
    await new NodeRedisBusClient(cluster.client).command("k", ["GET", "k", 5]);
    expect(cluster.calls[0]?.slice(0, 4)).toEqual(["sendCommand", "k", false, ["GET", "k", "5"]]);
  });

  it("refuse sharded pub/sub without sSubscribe (node-redis before 4.6) with a typed error", async () => {
    const fake = fakeNodeRedis();
    Object.assign(fake.client, { sSubscribe: undefined });
    await expect(new NodeRedisBusClient(fake.client).subscribe("s", true)).rejects.toMatchObject({
      code: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT",
    });
  });
});
