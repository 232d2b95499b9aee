import { Socket as ClientSocket } from "engine.io-client";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type EngineHarness,
  engineStarter,
  rawPoll,
  rawPost,
  rawRequest,
  rawWebSocket,
  waitForEvent,
} from "./support/engine-harness.js";
import {
  createRandom,
  randomBytes,
  randomFrame,
  randomPayload,
  randomQuery,
} from "./support/fuzz-input.js";

const startEngine = engineStarter();

// FUZZ_SEED reruns the suite with another seed; the default keeps CI deterministic.
const SEED = Number(process.env["FUZZ_SEED"] ?? 0x5eed_2026);
const WS_FRAMES = 6000;
const POLLING_PACKETS = 4500;

/** Sends frames on fresh WebSockets until `total` went out; each burst ends with a marker. */
async function fuzzWebSocket(
  engine: EngineHarness,
  random: () => number,
  total: number,
): Promise<number> {
  let sent = 0;
  const url = `ws://127.0.0.1:${engine.port}${engine.path({ EIO: "4", transport: "websocket" })}`;
  for (let connection = 0; sent < total && connection < 5000; connection++) {
    const ws = new WebSocket(url);
    ws.on("error", () => {});
    const closed = waitForEvent(ws, "close", 5000).catch(() => undefined);
    await waitForEvent(ws, "open", 5000);
    for (let i = 0; i < 200 && sent < total && ws.readyState === WebSocket.OPEN; i++) {
      ws.send(randomFrame(random));
      sent++;
    }
    // The marker is echoed by a live session; a dead one closes the socket instead.
    const ack = new Promise<void>((resolve) => {
      ws.on("message", (data) => {
        if (data.toString() === "4fuzz-ack") resolve();
      });
    });
    if (ws.readyState === WebSocket.OPEN) ws.send("4fuzz-end");
    await Promise.race([ack, closed]);
    ws.terminate();
  }
  return sent;
}

/** POSTs random payloads, re-handshaking whenever the session died. */
async function fuzzPolling(
  engine: EngineHarness,
  random: () => number,
  total: number,
): Promise<number> {
  let sent = 0;
  let sid: string | undefined;
  for (let request = 0; sent < total && request < 5000; request++) {
    if (sid === undefined) {
      const open = await rawPoll(engine);
      sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    }
    const roll = random();
    if (roll < 0.04) {
      await rawPost(engine, sid, Buffer.from(randomBytes(random, 64)), {
        "Content-Type": "application/octet-stream",
      }).catch(() => undefined);
      sent++;
    } else if (roll < 0.08) {
      await rawPost(engine, sid, `4${"o".repeat(20_000)}`).catch(() => undefined);
      sent++;
    } else {
      const payload = randomPayload(random);
      const answer = await rawPost(engine, sid, payload.body).catch(() => undefined);
      sent += payload.packets;
      if (answer?.status === 200) continue;
    }
    const alive = await rawPost(engine, sid, "3").catch(() => undefined);
    if (alive?.status !== 200) sid = undefined;
  }
  return sent;
}

/** Completes a WS handshake by hand, then writes raw random bytes (broken WS framing). */
async function fuzzRawSockets(
  engine: EngineHarness,
  random: () => number,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const socket = await rawWebSocket(engine);
    socket.write(randomBytes(random, 200));
    socket.destroy();
  }
}

describe("fuzzing", () => {
  it("survives 10,000+ random frames over both transports, then serves a healthy client", async () => {
    const harness = await startEngine({
      pingInterval: 300,
      pingTimeout: 200,
      maxHttpBufferSize: 10_000,
    });
    harness.engine.on("connection", (session) => {
      session.on("message", (data) => {
        if (data === "fuzz-end") session.send("fuzz-ack");
      });
    });
    const random = createRandom(SEED);
    const wsFrames = await fuzzWebSocket(harness, random, WS_FRAMES);
    const pollingPackets = await fuzzPolling(harness, random, POLLING_PACKETS);
    await fuzzRawSockets(harness, random, 200);
    for (let i = 0; i < 200; i++) {
      const answer = await rawRequest(harness.port, { path: `/engine.io/?${randomQuery(random)}` });
      expect([200, 400, 403]).toContain(answer.status);
    }
    expect(wsFrames).toBe(WS_FRAMES);
    expect(pollingPackets).toBeGreaterThanOrEqual(POLLING_PACKETS);
    expect(wsFrames + pollingPackets).toBeGreaterThanOrEqual(10_000);

    const healthy = new ClientSocket(`http://127.0.0.1:${harness.port}`, {
      transports: ["polling", "websocket"],
    });
    await waitForEvent(healthy, "open");
    const echoed = waitForEvent<[string]>(healthy, "message");
    healthy.send("fuzz-end");
    expect((await echoed)[0]).toBe("fuzz-ack");
    healthy.close();
    // Every session the fuzzing left behind ends (ping timeout at the latest): none leaks.
    const leftovers = Object.values(harness.engine.clients);
    await Promise.all(leftovers.map((session) => waitForEvent(session, "close", 5000)));
    expect(harness.engine.clientsCount).toBe(0);
  }, 60_000);
});
