// Hostile input: malformed or out-of-state Socket.IO packets close only the connection that
// sent them (§2.4, §2.5); other clients keep working.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";
import { openPollingPeer } from "./raw-polling.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A healthy official client, used to show that a bad peer hurts nobody else. */
async function bystander(harness: Harness) {
  harness.io.on("connection", (s) => s.on("alive", (ack: (v: string) => void) => ack("yes")));
  const client = harness.client();
  await connected(client);
  return client;
}

const DECODE_ERRORS: Array<[string, string]> = [
  ["unknown packet type", "4abc"],
  ["BINARY without attachment count", "45"],
  ["BINARY with a malformed count", "45a-"],
  ["BINARY with a fractional count", "451.23-"],
  [
    "too many attachments",
    `4511-["x",${Array.from({ length: 11 }, (_, i) => `{"_placeholder":true,"num":${i}}`).join(",")}]`,
  ],
  ["EVENT with an object payload", "42{}"],
  ["EVENT whose name is not a string", '42[true,"foo"]'],
  ["EVENT with a reserved name", '42["connect"]'],
  ["EVENT with a reserved name and args", '42["disconnect","x"]'],
  ["garbage where the ack id goes", '42abc["x"]'],
  ["DISCONNECT with a payload", "41/admin,{}"],
  ["invalid JSON", '42["x",'],
  ["BINARY count without its dash", "451"],
  ["CONNECT with a string payload", '40/admin,"x"'],
  ["EVENT on /admin with an object payload", "42/admin,{}"],
  ["EVENT whose name is null", '42[null,"x"]'],
  ["EVENT whose name is an object", '42[{"toString":"foo"}]'],
];

/** Resolves once the polling session `sid` is gone: a close packet, or 400 for an unknown sid. */
async function pollingClosed(port: number, sid: string): Promise<void> {
  const url = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  for (;;) {
    const res = await fetch(url);
    const text = await res.text();
    if (res.status === 400) return;
    if (text.split("\x1e").includes("1")) return;
  }
}

describe("hostile input over long-polling", () => {
  for (const [what, frame] of DECODE_ERRORS) {
    it(`closes only that session on: ${what}`, async () => {
      h = await startServer();
      const healthy = await bystander(h);
      const peer = await openPollingPeer(h.port);
      await peer.post("40");
      expect((await peer.poll())[0]).toMatch(/^40\{"sid"/);
      await peer.post(frame);
      await pollingClosed(h.port, peer.sid);
      expect(await healthy.emitWithAck("alive")).toBe("yes");
      expect(h.io.engine.clientsCount).toBe(1);
    });
  }

  it("closes only that session on an EVENT before any CONNECT and on a client CONNECT_ERROR", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const early = await openPollingPeer(h.port);
    await early.post('42["x"]');
    await pollingClosed(h.port, early.sid);
    const refused = await openPollingPeer(h.port);
    await refused.post('44{"message":"x"}');
    await pollingClosed(h.port, refused.sid);
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });
});

describe("hostile input", () => {
  for (const [what, frame] of DECODE_ERRORS) {
    it(`closes the connection on a decode error: ${what}`, async () => {
      h = await startServer();
      const healthy = await bystander(h);
      const peer = await openRawPeer(h.port);
      await rawConnect(peer);
      peer.send(frame);
      await peer.closed();
      expect(await healthy.emitWithAck("alive")).toBe("yes");
    });
  }

  it("closes the connection on binary data with no BINARY packet pending, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send(Buffer.from([1, 2, 3]));
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("closes the connection on text while attachments are still expected, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('451-["f",{"_placeholder":true,"num":0}]');
    peer.send('42["x"]');
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("closes the connection on a duplicate CONNECT", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send("40");
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
  });

  it("closes the connection on an EVENT for a namespace it did not join, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    h.io.of("/admin");
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('42/admin,["x"]');
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("closes the connection on an EVENT before any CONNECT, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    peer.send('42["x"]');
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("closes the connection on a CONNECT_ERROR sent by a client, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('44{"message":"x"}');
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("closes the connection on a CONNECT whose payload is not an object, and only that one", async () => {
    h = await startServer();
    const healthy = await bystander(h);
    const peer = await openRawPeer(h.port);
    peer.send("40[]");
    await peer.closed();
    expect(await healthy.emitWithAck("alive")).toBe("yes");
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("accepts a CONNECT to a namespace without the trailing comma", async () => {
    h = await startServer();
    h.io.of("/admin");
    const peer = await openRawPeer(h.port);
    peer.send("40/admin");
    expect(String(await peer.next())).toMatch(/^40\/admin,\{"sid":/);
    peer.close();
  });

  it("dispatches an EVENT without data as an event with no arguments", async () => {
    h = await startServer();
    let calls = 0;
    h.io.on("connection", (s) => {
      s.onAny(() => calls++);
      s.on("after", (ack: () => void) => ack());
    });
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send("42");
    peer.send('421["after"]');
    expect(String(await peer.next())).toBe("431[]");
    expect(calls).toBe(2);
    peer.close();
  });

  it("keeps a listener exception away from protocol state and rethrows it on the next tick", async () => {
    h = await startServer();
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    const listeners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      h.io.on("connection", (s) => {
        s.on("boom", () => {
          throw new Error("listener failed");
        });
        s.on("alive", (ack: () => void) => ack());
      });
      const client = h.client();
      await connected(client);
      client.emit("boom");
      await client.emitWithAck("alive");
      expect(thrown.map((e) => (e as Error).message)).toEqual(["listener failed"]);
      expect(client.connected).toBe(true);
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      for (const l of listeners) process.on("uncaughtException", l);
    }
  });
});

describe("hostile input, generated", () => {
  it("never throws on random Socket.IO frames and leaves nothing behind once the peers are gone", async () => {
    const harness = await startServer({ connectionStateRecovery: {} });
    h = harness;
    harness.io.of("/admin");
    harness.io.of(/^\/dyn-\d+$/);
    harness.io.on("connection", (s) =>
      s.on("echo", (...args: unknown[]) => {
        const ack = args.pop();
        if (typeof ack === "function") ack(...args);
      }),
    );
    const healthy = await bystander(harness);
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    const saved = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    // Frames assembled from protocol fragments, so that many get past the first character.
    const fragment = fc.oneof(
      fc.constantFrom(
        ..."0123456".split(""),
        "/admin,",
        "/dyn-1,",
        "/nope,",
        "1-",
        "12",
        '["echo"',
        '["x",1]',
        "{}",
        '{"pid":"a","offset":"b"}',
        "[",
        "]",
        ",",
        '{"_placeholder":true,"num":0}',
        "null",
        "-",
      ),
      fc.string({ maxLength: 6 }),
    );
    const text = fc.array(fragment, { minLength: 1, maxLength: 6 }).map((p) => `4${p.join("")}`);
    const frames = fc.array(fc.oneof(text, fc.uint8Array({ maxLength: 4 })), {
      minLength: 1,
      maxLength: 5,
    });
    try {
      await fc.assert(
        fc.asyncProperty(frames, async (batch) => {
          const peer = await openRawPeer(harness.port);
          await rawConnect(peer);
          for (const f of batch) peer.send(typeof f === "string" ? f : Buffer.from(f));
          // A round trip on the healthy client: the frames above have been handled.
          expect(await healthy.emitWithAck("alive")).toBe("yes");
          peer.ws.terminate();
        }),
        { numRuns: 200, seed: 20261125 },
      );
      for (let i = 0; i < 100 && harness.io.engine.clientsCount > 1; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(thrown).toEqual([]);
      expect(harness.io.engine.clientsCount).toBe(1);
      expect(harness.io.sockets.sockets.size).toBe(1);
      expect(harness.io.sockets.adapter.sids.size).toBe(1);
      expect(harness.io.of("/admin").sockets.size).toBe(0);
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      for (const l of saved) process.on("uncaughtException", l);
    }
  });
});
