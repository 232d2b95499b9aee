// Heartbeat (docs/protocol.md §1.7): the server pings every pingInterval, closes on a missing pong
// after pingTimeout, and treats a client ping as a wrong-direction transport error.
import type { EngineCloseReason } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import {
  engineStarter,
  expectTransportError,
  handshake,
  openWebSocket,
  rawPoll,
  rawPost,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();
const timing = { pingInterval: 300, pingTimeout: 200 };
// Rounds that must succeed get a roomier pong deadline, so a loaded machine does not flake.
const roomy = { pingInterval: 300, pingTimeout: 1000 };

describe("heartbeat over polling", () => {
  it("advertises the intervals and keeps a session alive through three ping/pong rounds", async () => {
    const harness = await startEngine(roomy);
    const { open, session } = await handshake(harness);
    expect(open.pingInterval).toBe(300);
    expect(open.pingTimeout).toBe(1000);
    let heartbeats = 0;
    session.on("heartbeat", () => heartbeats++);
    for (let round = 0; round < 3; round++) {
      expect((await rawPoll(harness, open.sid)).body).toBe("2");
      expect((await rawPost(harness, open.sid, "3")).body).toBe("ok");
    }
    expect(heartbeats).toBe(3);
    expect(session.readyState).toBe("open");
  });

  it("closes with ping timeout when no pong comes back", async () => {
    const harness = await startEngine(timing);
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    expect((await rawPoll(harness, open.sid)).body).toBe("2");
    expect((await closed)[0]).toBe("ping timeout");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("closes with transport error when a v4 client sends a ping", async () => {
    const harness = await startEngine(timing);
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
    expect((await rawPost(harness, open.sid, "2")).body).toBe("ok");
    expectTransportError(await closed, "invalid heartbeat direction");
  });
});

describe("heartbeat over websocket", () => {
  it("pings, accepts pongs, then times out once the client stops answering", async () => {
    const harness = await startEngine({ pingInterval: 300, pingTimeout: 500 });
    const connection = waitForEvent<[import("@switchyard/server").EngineSession]>(
      harness.engine,
      "connection",
    );
    const client = await openWebSocket(harness, {});
    const [session] = await connection;
    await client.next();
    for (let round = 0; round < 3; round++) {
      expect(await client.next()).toBe("2");
      client.ws.send("3");
      await waitForEvent(session, "heartbeat");
    }
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    expect(await client.next()).toBe("2");
    expect((await closed)[0]).toBe("ping timeout");
  });

  it("closes with transport error on a client ping", async () => {
    const harness = await startEngine(timing);
    const connection = waitForEvent<[import("@switchyard/server").EngineSession]>(
      harness.engine,
      "connection",
    );
    const client = await openWebSocket(harness, {});
    const [session] = await connection;
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    client.ws.send("2");
    expect((await closed)[0]).toBe("transport error");
  });
});
