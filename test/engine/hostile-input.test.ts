// Hostile input that must close only its own session (or get 400/413/431) while the process
// keeps serving: truncated bodies, oversized headers, garbage bytes, prototype-named sids.
import { connect } from "node:net";
import type { EngineCloseReason } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import {
  engineStarter,
  expectTransportError,
  handshake,
  rawPoll,
  rawRequest,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

function rawExchange(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      socket.end();
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe("hostile input", () => {
  it("closes only the session whose POST body was cut short", async () => {
    const harness = await startEngine();
    const victim = await handshake(harness);
    const bystander = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason, unknown]>(victim.session, "close");
    const socket = connect(harness.port, "127.0.0.1");
    socket.on("error", () => {});
    await waitForEvent(socket, "connect");
    const arrived = requestArrives(harness);
    socket.write(
      `POST ${harness.path({ EIO: "4", transport: "polling", sid: victim.open.sid })} HTTP/1.1\r\n` +
        "Host: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n4trunc",
    );
    await arrived;
    socket.destroy();
    expectTransportError(await closed, "data request connection closed prematurely");
    expect(bystander.session.readyState).toBe("open");
    const poll = rawPoll(harness, bystander.open.sid);
    bystander.session.send("fine");
    expect((await poll).body).toBe("4fine");
  });

  it("answers oversized headers with 431 and serves the next request", async () => {
    const harness = await startEngine();
    const answer = await rawExchange(
      harness.port,
      `GET ${harness.path({ EIO: "4", transport: "polling" })} HTTP/1.1\r\nHost: x\r\n` +
        `X-Big: ${"h".repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer.startsWith("HTTP/1.1 431")).toBe(true);
    expect((await rawPoll(harness)).status).toBe(200);
  });

  it("survives garbage bytes instead of an HTTP request", async () => {
    const harness = await startEngine();
    const answer = await rawExchange(harness.port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
    expect(answer.startsWith("HTTP/1.1 400")).toBe(true);
    expect((await rawPoll(harness)).status).toBe(200);
  });

  it("answers unknown-sid for sids that are Object.prototype names", async () => {
    const harness = await startEngine();
    for (const sid of ["constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      const response = await rawRequest(harness.port, {
        method: "POST",
        path: harness.path({ EIO: "4", transport: "polling", sid }),
        body: "4x",
      });
      expect(JSON.parse(response.body)).toEqual({ code: 1, message: "Session ID unknown" });
    }
  });

  it("closes a session flooded with 10,001 packets in one payload as a parse error, and only that one", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const bystander = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    const body = Array.from({ length: 10_001 }, () => "6").join("\x1e");
    await rawRequest(harness.port, {
      method: "POST",
      path: harness.path({ EIO: "4", transport: "polling", sid: open.sid }),
      body,
    }).catch(() => undefined);
    expect((await closed)[0]).toBe("parse error");
    expect(bystander.session.readyState).toBe("open");
    const poll = rawPoll(harness, bystander.open.sid);
    bystander.session.send("still served");
    expect((await poll).body).toBe("4still served");
    expect(harness.engine.clientsCount).toBe(1);
  });
});
