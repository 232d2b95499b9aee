// Session lifecycle under churn (docs/protocol.md §1.10): every way a session can end removes it from
// `clients` and leaves no engine timer behind, including closes that race a deferred close.
import type { EngineCloseReason, EngineSession } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import {
  type EngineHarness,
  engineStarter,
  handshake,
  openWebSocket,
  rawPoll,
  rawPost,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";
import { liveAfterClose, type TimerTracker, trackTimers } from "./support/timer-tracker.js";

const startEngine = engineStarter();
let tracker: TimerTracker | undefined;

afterEach(() => {
  tracker?.restore();
  tracker = undefined;
});

async function upgradeOver(h: EngineHarness, sid: string, session: EngineSession) {
  const client = await openWebSocket(h, { sid });
  client.ws.send("2probe");
  expect(await client.next()).toBe("3probe");
  const upgraded = waitForEvent(session, "upgrade");
  client.ws.send("5");
  await upgraded;
  return client;
}

/** Ends one session one of eight ways; resolves once its `close` event has fired. */
async function endSession(h: EngineHarness, round: number): Promise<void> {
  const { open, session } = await handshake(h);
  const closed = waitForEvent<[EngineCloseReason]>(session, "close");
  switch (round % 8) {
    case 0:
      await rawPost(h, open.sid, "1");
      break;
    case 1:
      session.close(true);
      break;
    case 2:
      session.close();
      expect((await rawPoll(h, open.sid)).body).toBe("6\x1e1");
      break;
    case 3: {
      const client = await upgradeOver(h, open.sid, session);
      client.ws.close();
      break;
    }
    case 4:
      // The client says goodbye while the server's close waits for a GET.
      session.close();
      await rawPost(h, open.sid, "1");
      break;
    case 5:
      // A discard overtakes a deferred close (what engine.close() does).
      session.close();
      session.close(true);
      break;
    case 6: {
      const client = await openWebSocket(h, { sid: open.sid });
      client.ws.send("2probe");
      await client.next();
      session.close(true);
      await client.closed();
      break;
    }
    default: {
      const controller = new AbortController();
      const arrived = requestArrives(h);
      const poll = rawPoll(h, open.sid, {}, { signal: controller.signal }).catch(() => undefined);
      await arrived;
      controller.abort();
      await poll;
    }
  }
  await closed;
}

describe("session lifecycle", () => {
  it("leaves no session and no engine timer after 200 connect/close cycles of every kind", async () => {
    const harness = await startEngine();
    tracker = trackTimers();
    for (let round = 0; round < 200; round++) await endSession(harness, round);
    expect(harness.engine.clientsCount).toBe(0);
    expect(Object.keys(harness.engine.clients)).toEqual([]);
    expect(tracker.live()).toEqual([]);
  });

  it("clears the deferred-close timer when the session ends by ping timeout meanwhile", async () => {
    const harness = await startEngine({ pingInterval: 30, pingTimeout: 30 });
    tracker = trackTimers();
    const { session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    expect((await closed)[0]).toBe("ping timeout");
    expect(tracker.live()).toEqual([]);
  });

  it("closes a session whose close waits for the next GET when the engine closes", async () => {
    const harness = await startEngine();
    const { session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    expect(session.readyState).toBe("closing");
    await harness.engine.close();
    expect((await closed)[0]).toBe("forced close");
    expect(session.readyState).toBe("closed");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("ends a session with transport close when the client sends 1 during a deferred close", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    expect((await rawPost(harness, open.sid, "1")).body).toBe("ok");
    expect((await closed)[0]).toBe("transport close");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("completes an upgrade during a deferred close, then closes the new transport", async () => {
    const harness = await startEngine();
    tracker = trackTimers();
    const { open, session } = await handshake(harness);
    const client = await openWebSocket(harness, { sid: open.sid });
    client.ws.send("2probe");
    expect(await client.next()).toBe("3probe");
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    client.ws.send("5");
    expect((await closed)[0]).toBe("forced close");
    await client.closed();
    expect(harness.engine.clientsCount).toBe(0);
    expect(await liveAfterClose(tracker)).toEqual([]);
  });
});
