import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { RedisAdapterError } from "./errors.js";
import { RedisBus, type RedisClient } from "./redis-bus.js";

/** An ioredis stand-in: records commands, emits what a real client would. */
class FakeClient extends EventEmitter {
  readonly commands: string[] = [];
  subscribe(channel: string): Promise<number> {
    this.commands.push(`subscribe ${channel}`);
    return Promise.resolve(1);
  }
  unsubscribe(channel: string): Promise<number> {
    this.commands.push(`unsubscribe ${channel}`);
    return Promise.resolve(0);
  }
  ssubscribe(channel: string): Promise<number> {
    this.commands.push(`ssubscribe ${channel}`);
    return Promise.resolve(1);
  }
  sunsubscribe(channel: string): Promise<number> {
    this.commands.push(`sunsubscribe ${channel}`);
    return Promise.resolve(0);
  }
  publish(channel: string, payload: Buffer): Promise<number> {
    this.commands.push(`publish ${channel} ${payload.length}`);
    return Promise.resolve(1);
  }
  spublish(channel: string, payload: Buffer): Promise<number> {
    this.commands.push(`spublish ${channel} ${payload.length}`);
    return Promise.resolve(1);
  }
}

function setup(sharded = false) {
  const pub = new FakeClient();
  const sub = new FakeClient();
  const bus = new RedisBus(pub as unknown as RedisClient, sub as unknown as RedisClient, sharded);
  return { pub, sub, bus };
}

describe("Redis bus", () => {
  it("subscribes once per channel however many handlers share it, and unsubscribes after the last", async () => {
    const { sub, bus } = setup();
    const h1 = (): void => undefined;
    const h2 = (): void => undefined;
    await bus.subscribe("c", h1);
    await bus.subscribe("c", h2);
    await bus.unsubscribe("c", h1);
    expect(sub.commands).toEqual(["subscribe c"]);
    await bus.unsubscribe("c", h2);
    expect(sub.commands).toEqual(["subscribe c", "unsubscribe c"]);
  });

  it("dispatches each message to the handlers of its channel only", async () => {
    const { sub, bus } = setup();
    const got: string[] = [];
    await bus.subscribe("a", (payload) => got.push(`a:${Buffer.from(payload).toString()}`));
    await bus.subscribe("b", (payload) => got.push(`b:${Buffer.from(payload).toString()}`));
    sub.emit("messageBuffer", Buffer.from("a"), Buffer.from("1"));
    sub.emit("messageBuffer", Buffer.from("b"), Buffer.from("2"));
    sub.emit("messageBuffer", Buffer.from("other"), Buffer.from("3"));
    expect(got).toEqual(["a:1", "b:2"]);
  });

  it("uses SPUBLISH, SSUBSCRIBE and sharded messages in sharded mode", async () => {
    const { pub, sub, bus } = setup(true);
    const got: number[] = [];
    await bus.subscribe("s", (payload) => got.push(payload.length));
    await bus.publish("s", new Uint8Array([1, 2, 3]));
    sub.emit("smessageBuffer", Buffer.from("s"), Buffer.from([9, 9]));
    sub.emit("messageBuffer", Buffer.from("s"), Buffer.from([9]));
    expect(sub.commands).toEqual(["ssubscribe s"]);
    expect(pub.commands).toEqual(["spublish s 3"]);
    expect(got).toEqual([2]);
  });

  it("tells its adapters about a reconnect only after the subscriber lost its connection", () => {
    const { sub, bus } = setup();
    const events: string[] = [];
    bus.attach({ reconnected: () => events.push("reconnected"), clientError: () => undefined });
    sub.emit("ready");
    expect(events).toEqual([]);
    sub.emit("close");
    sub.emit("ready");
    sub.emit("ready");
    expect(events).toEqual(["reconnected"]);
  });

  it("forwards client errors as RedisAdapterError to every attached adapter", () => {
    const { pub, bus } = setup();
    const errors: RedisAdapterError[] = [];
    const listener = {
      reconnected: () => undefined,
      clientError: (e: RedisAdapterError) => errors.push(e),
    };
    bus.attach(listener);
    pub.emit("error", new Error("ECONNREFUSED"));
    bus.detach(listener);
    pub.emit("error", new Error("ignored"));
    expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([
      ["SY_ERR_REDIS_CLIENT_ERROR", "ECONNREFUSED"],
    ]);
  });
});
