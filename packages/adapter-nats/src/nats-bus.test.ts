import type { NatsConnection, Status } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import type { NatsAdapterError } from "./errors.js";
import { NatsBus } from "./nats-bus.js";

/** A connection whose status stream the test writes, and which records what the bus did. */
function fakeConnection(connectUrls: string[] = []) {
  const calls: string[] = [];
  let push: (status: Status) => void = () => undefined;
  let end: () => void = () => undefined;
  let closed = false;
  const statuses: AsyncIterable<Status> = {
    [Symbol.asyncIterator]() {
      const queue: Status[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      push = (status) => {
        queue.push(status);
        wake?.();
      };
      end = () => {
        done = true;
        wake?.();
      };
      return {
        async next(): Promise<IteratorResult<Status>> {
          while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
          const value = queue.shift();
          return value === undefined ? { done: true, value: undefined } : { done: false, value };
        },
      };
    },
  };
  const nc = {
    info: { connect_urls: connectUrls },
    getServer: () => "a:4222",
    isClosed: () => closed,
    isDraining: () => false,
    status: () => statuses,
    publish: (subject: string) => calls.push(`publish ${subject}`),
    subscribe: (subject: string) => {
      calls.push(`sub ${subject}`);
      return { isClosed: () => false, unsubscribe: () => calls.push(`unsub ${subject}`) };
    },
    flush: () => {
      calls.push("flush");
      return Promise.resolve();
    },
    reconnect: () => {
      calls.push("reconnect");
      return Promise.resolve();
    },
    drain: () => {
      calls.push("drain");
      closed = true;
      return Promise.resolve();
    },
  } as unknown as NatsConnection;
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { nc, calls, push: (s: Status) => push(s), end: () => end(), tick };
}

function listen(bus: NatsBus) {
  const events: string[] = [];
  const listener = {
    reconnected: () => events.push("reconnected"),
    busError: (error: NatsAdapterError) => events.push(error.code),
  };
  bus.attach(listener);
  return { events, listener };
}

describe("NatsBus", () => {
  it("refuses publishes while disconnected and tells adapters to re-announce on reconnect", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, false);
    const { events } = listen(bus);
    fake.push({ type: "disconnect", server: "s1" });
    await fake.tick();
    expect(bus.state).toBe("disconnected");
    await expect(bus.publish("x", new Uint8Array(1))).rejects.toMatchObject({
      code: "SY_ERR_ADAPTER_NATS_DISCONNECTED",
    });
    fake.push({ type: "reconnect", server: "s1" });
    await fake.tick();
    expect(bus.state).toBe("connected");
    await bus.publish("x", new Uint8Array(1));
    expect(fake.calls).toEqual(["publish x"]);
    expect(events).toEqual(["reconnected"]);
  });

  it("moves to another server on lame-duck mode when the cluster has one", async () => {
    const fake = fakeConnection(["b:4222"]);
    const bus = new NatsBus(fake.nc, false);
    listen(bus);
    fake.push({ type: "ldm", server: "a:4222" });
    await fake.tick();
    expect(bus.lameDuck).toBe(true);
    expect(fake.calls).toEqual(["reconnect"]);
    fake.push({ type: "reconnect", server: "b:4222" });
    await fake.tick();
    expect(bus.lameDuck).toBe(false);
  });

  it("stays on a lone lame-duck server (reconnecting there would be refused)", async () => {
    const fake = fakeConnection(["a:4222"]);
    const bus = new NatsBus(fake.nc, false);
    listen(bus);
    fake.push({ type: "ldm", server: "a:4222" });
    await fake.tick();
    expect(bus.lameDuck).toBe(true);
    expect(fake.calls).toEqual([]);
  });

  it("reports connection errors and a final close to every adapter", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, false);
    const { events } = listen(bus);
    fake.push({ type: "error", error: new Error("Permissions Violation") });
    fake.push({ type: "close" });
    await fake.tick();
    expect(events).toEqual([
      "SY_ERR_ADAPTER_NATS_CONNECTION_ERROR",
      "SY_ERR_ADAPTER_NATS_CONNECTION_CLOSED",
    ]);
    expect(bus.state).toBe("closed");
    await expect(bus.publish("x", new Uint8Array(1))).rejects.toMatchObject({
      code: "SY_ERR_ADAPTER_NATS_DISCONNECTED",
    });
  });

  it("drains the connection when the last adapter detaches (drainOnClose)", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, true);
    const first = listen(bus);
    const second = listen(bus);
    await bus.detach(first.listener);
    expect(fake.calls).toEqual([]);
    await bus.detach(second.listener);
    expect(fake.calls).toEqual(["drain"]);
    fake.push({ type: "close" });
    await fake.tick();
    // A close we asked for is not reported as an error.
    expect(second.events).toEqual([]);
  });

  it("leaves a shared connection open when drainOnClose is false", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, false);
    const { listener } = listen(bus);
    await bus.detach(listener);
    expect(fake.calls).toEqual([]);
  });

  it("confirms the subscriptions made in one tick with a single flush written after them", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, false);
    const noop = () => undefined;
    const subs = await Promise.all(["r1", "r2", "r3"].map((s) => bus.subscribe(s, noop, noop)));
    expect(fake.calls).toEqual(["sub r1", "sub r2", "sub r3", "flush"]);
    bus.unsubscribe(subs[0] as never);
    expect(fake.calls.at(-1)).toBe("unsub r1");
  });

  it("does not wait for a confirmation while disconnected (the client re-sends on reconnect)", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, false);
    listen(bus);
    fake.push({ type: "disconnect", server: "s1" });
    await fake.tick();
    await bus.subscribe(
      "r1",
      () => undefined,
      () => undefined,
    );
    expect(fake.calls).toEqual(["sub r1"]);
  });

  it("never drains for an adapter that was not attached", async () => {
    const fake = fakeConnection();
    const bus = new NatsBus(fake.nc, true);
    await bus.detach({ reconnected: () => undefined, busError: () => undefined });
    expect(fake.calls).toEqual([]);
  });
});
