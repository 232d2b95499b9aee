// Polling → websocket upgrade (docs/protocol.md §1.6): probe, noop release of the pending GET, `5`,
// upgradeTimeout, TRANSPORT_MISMATCH afterwards, and a second WebSocket closed at once.
import type { EngineConnectionError, Transport } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import {
  type EngineHarness,
  engineStarter,
  handshake,
  openWebSocket,
  rawPoll,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";
import { liveAfterClose, trackTimers } from "./support/timer-tracker.js";

const startEngine = engineStarter();

/** Handshakes over polling and opens a WebSocket for the session: 2probe answered by 3probe. */
async function probe(harness: EngineHarness) {
  const { open, session } = await handshake(harness);
  const client = await openWebSocket(harness, { sid: open.sid });
  client.ws.send("2probe");
  expect(await client.next()).toBe("3probe");
  return { open, session, client };
}

/** A session upgraded to WebSocket: the probe, then 5. */
async function upgraded(harness: EngineHarness) {
  const probed = await probe(harness);
  const upgrade = waitForEvent(probed.session, "upgrade");
  probed.client.ws.send("5");
  await upgrade;
  return probed;
}

describe("upgrade", () => {
  it("runs 2probe/3probe, releases the pending GET with 6, and switches on 5", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const arrived = requestArrives(harness);
    const pendingGet = rawPoll(harness, open.sid);
    await arrived;
    const client = await openWebSocket(harness, { sid: open.sid });
    const upgrading = waitForEvent<[Transport]>(session, "upgrading");
    client.ws.send("2probe");
    expect(await client.next()).toBe("3probe");
    expect((await upgrading)[0].name).toBe("websocket");
    expect(session.upgrading).toBe(true);
    expect((await pendingGet).body).toBe("6");
    const upgraded = waitForEvent<[Transport]>(session, "upgrade");
    client.ws.send("5");
    expect((await upgraded)[0].name).toBe("websocket");
    expect(session.upgraded).toBe(true);
    expect(session.upgrading).toBe(false);
    expect(session.transport.name).toBe("websocket");
    session.send("over-ws");
    expect(await client.next()).toBe("4over-ws");
    client.ws.send("4from-client");
    expect((await waitForEvent<[string]>(session, "message"))[0]).toBe("from-client");
  });

  it("flushes packets buffered during the upgrade over the new transport", async () => {
    const { session, client } = await probe(await startEngine());
    session.send("queued");
    await new Promise<void>((resolve) => process.nextTick(resolve));
    client.ws.send("5");
    expect(await client.next()).toBe("4queued");
  });

  it("answers polling with that sid with 400 TRANSPORT_MISMATCH after the upgrade", async () => {
    const harness = await startEngine();
    const { open } = await upgraded(harness);
    const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
    const poll = await rawPoll(harness, open.sid);
    expect(poll.status).toBe(400);
    expect(JSON.parse(poll.body)).toEqual({ code: 3, message: "Bad request" });
    expect((await error)[0].context).toMatchObject({
      name: "TRANSPORT_MISMATCH",
      transport: "polling",
      previousTransport: "websocket",
    });
  });

  it("accepts then closes a second WebSocket for an upgraded session", async () => {
    const harness = await startEngine();
    const { open, session, client } = await upgraded(harness);
    const second = await openWebSocket(harness, { sid: open.sid });
    await second.closed();
    expect(session.readyState).toBe("open");
    session.send("still");
    expect(await client.next()).toBe("4still");
  });

  it("accepts then closes a second WebSocket while an upgrade is in progress", async () => {
    const harness = await startEngine();
    const { open } = await handshake(harness);
    const first = await openWebSocket(harness, { sid: open.sid });
    const second = await openWebSocket(harness, { sid: open.sid });
    await second.closed();
    first.ws.send("2probe");
    expect(await first.next()).toBe("3probe");
  });

  it("closes the new transport after upgradeTimeout and keeps polling", async () => {
    const harness = await startEngine({ upgradeTimeout: 200 });
    const { open, session, client } = await probe(harness);
    await client.closed();
    expect(session.upgrading).toBe(false);
    expect(session.transport.name).toBe("polling");
    const poll = rawPoll(harness, open.sid);
    session.send("polling-still");
    expect((await poll).body).toBe("4polling-still");
  });

  it("aborts the upgrade when another packet arrives on the probe transport", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const client = await openWebSocket(harness, { sid: open.sid });
    client.ws.send("4too-early");
    await client.closed();
    expect(session.upgraded).toBe(false);
    expect(session.readyState).toBe("open");
  });

  it("closes the probe transport when the session closes meanwhile", async () => {
    const { session, client } = await probe(await startEngine());
    session.close(true);
    await client.closed();
  });

  it("switches on a 5 that comes without a probe first, as the official engine does", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const client = await openWebSocket(harness, { sid: open.sid });
    const upgraded = waitForEvent<[Transport]>(session, "upgrade");
    client.ws.send("5");
    expect((await upgraded)[0].name).toBe("websocket");
    session.send("direct");
    expect(await client.next()).toBe("4direct");
  });

  it("releases a new pending GET with a noop every 100 ms while upgrading", async () => {
    const harness = await startEngine();
    const { open } = await probe(harness);
    for (let round = 0; round < 3; round++) {
      expect((await rawPoll(harness, open.sid)).body).toBe("6");
    }
  });

  it("keeps polling with no timer left when the WebSocket closes mid-upgrade", async () => {
    const harness = await startEngine();
    const tracker = trackTimers();
    try {
      const { open, session } = await handshake(harness);
      const client = await openWebSocket(harness, { sid: open.sid });
      const upgrading = waitForEvent(session, "upgrading");
      client.ws.send("2probe");
      expect(await client.next()).toBe("3probe");
      await upgrading;
      client.ws.close();
      await client.closed();
      // The server sees the close after the client does: wait until the probe has ended.
      while (session.upgrading) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(session.readyState).toBe("open");
      expect(session.transport.name).toBe("polling");
      expect(tracker.live().filter((timer) => !timer.includes("heartbeat"))).toEqual([]);
      const poll = rawPoll(harness, open.sid);
      session.send("still-polling");
      expect((await poll).body).toBe("4still-polling");
    } finally {
      tracker.restore();
    }
  });

  it("accepts then closes a WebSocket for a session that is closing", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    session.close();
    const client = await openWebSocket(harness, { sid: open.sid });
    await client.closed();
    expect(session.upgraded).toBe(false);
    expect(session.transport.name).toBe("polling");
  });

  it("leaves no noop interval behind when an upgrading listener closes the session", async () => {
    const harness = await startEngine();
    const tracker = trackTimers();
    try {
      const { open, session } = await handshake(harness);
      session.on("upgrading", () => session.close(true));
      const closed = waitForEvent(session, "close");
      const client = await openWebSocket(harness, { sid: open.sid });
      client.ws.send("2probe");
      await closed;
      await client.closed();
      expect(await liveAfterClose(tracker)).toEqual([]);
    } finally {
      tracker.restore();
    }
  });
});
