// Polling semantics (docs/protocol.md §1.4): long-poll GET, POST "ok", payload framing, one GET and
// one POST in flight, invalid input, limits, deferred close and compression.
import { request } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";
import type { EngineCloseReason } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import {
  type EngineHarness,
  engineStarter,
  expectTransportError,
  handshake,
  rawPoll,
  rawPost,
  rawRequest,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

async function echoEngine(options = {}): Promise<EngineHarness> {
  const started = await startEngine(options);
  started.engine.on("connection", (session) => {
    session.on("message", (data) => session.send(data));
  });
  return started;
}

/** Handshakes, then leaves a GET pending on the server; `closed` resolves with the close reason. */
async function pendingGet(harness: EngineHarness) {
  const { open, session } = await handshake(harness);
  const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
  const arrived = requestArrives(harness);
  const poll = rawPoll(harness, open.sid);
  await arrived;
  return { open, session, closed, poll };
}

/**
 * A POST that announces 100 bytes and sends 6: its body stays incomplete. `outcome` says how the
 * request ended: "cut off" by the server, or "hung" if nothing happened within 2 s.
 */
function streamingPost(harness: EngineHarness, sid: string): { outcome: Promise<string> } {
  const outcome = new Promise<string>((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: harness.port,
        method: "POST",
        path: harness.path({ EIO: "4", transport: "polling", sid }),
        headers: { "Content-Type": "text/plain", "Content-Length": "100" },
        agent: false,
      },
      (res) => resolve(`answered ${res.statusCode}`),
    );
    req.on("error", () => resolve("cut off"));
    req.write("4hello");
    // A bound on the wait, not a synchronisation: the cut-off must come first.
    setTimeout(() => {
      resolve("hung");
      req.destroy();
    }, 2000).unref();
  });
  return { outcome };
}

describe("polling data flow", () => {
  it("answers a POST with ok (text/html, Content-Length 2) and echoes 4hello on the next GET", async () => {
    const harness = await echoEngine();
    const { open } = await handshake(harness);
    const post = await rawPost(harness, open.sid, "4hello");
    expect(post.status).toBe(200);
    expect(post.body).toBe("ok");
    expect(post.headers["content-type"]).toBe("text/html");
    expect(post.headers["content-length"]).toBe("2");
    expect(post.headers["cache-control"]).toBe("no-store");
    const poll = await rawPoll(harness, open.sid);
    expect(poll.status).toBe(200);
    expect(poll.body).toBe("4hello");
    expect(poll.headers["content-type"]).toBe("text/plain; charset=UTF-8");
  });

  it("holds a GET until a packet is ready (long poll)", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    let answered = false;
    const arrived = requestArrives(harness);
    const poll = rawPoll(harness, open.sid).then((response) => {
      answered = true;
      return response;
    });
    await arrived;
    expect(answered).toBe(false);
    session.send("later");
    expect((await poll).body).toBe("4later");
  });

  it("splits a multi-packet payload and joins buffered packets with \\x1e", async () => {
    const harness = await echoEngine();
    const { open, session } = await handshake(harness);
    const messages: unknown[] = [];
    session.on("message", (data) => messages.push(data));
    await rawPost(harness, open.sid, "4a\x1e4b\x1e4c");
    expect(messages).toEqual(["a", "b", "c"]);
    expect((await rawPoll(harness, open.sid)).body).toBe("4a\x1e4b\x1e4c");
  });

  it("decodes b<base64> as binary and sends binary back as b<base64>", async () => {
    const harness = await echoEngine();
    const { open, session } = await handshake(harness);
    const messages: unknown[] = [];
    session.on("message", (data) => messages.push(data));
    await rawPost(harness, open.sid, "4hello\x1ebAQIDBA==");
    expect(messages[0]).toBe("hello");
    expect(Buffer.isBuffer(messages[1])).toBe(true);
    expect([...(messages[1] as Buffer)]).toEqual([1, 2, 3, 4]);
    expect((await rawPoll(harness, open.sid)).body).toBe("4hello\x1ebAQIDBA==");
  });

  it("counts Content-Length in UTF-8 bytes for multibyte text, both ways", async () => {
    const harness = await echoEngine();
    const { open, session } = await handshake(harness);
    const text = "héllo € 😀 \u0000 ✓";
    const received = waitForEvent<[string]>(session, "message");
    expect((await rawPost(harness, open.sid, `4${text}`)).status).toBe(200);
    expect((await received)[0]).toBe(text);
    const poll = await rawPoll(harness, open.sid);
    expect(poll.body).toBe(`4${text}`);
    expect(Number(poll.headers["content-length"])).toBe(Buffer.byteLength(`4${text}`));
    expect(Number(poll.headers["content-length"])).toBe(poll.raw.length);
  });

  it("adds X-XSS-Protection: 0 for Internet Explorer user agents only", async () => {
    const harness = await startEngine();
    const ie = { headers: { "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0)" } };
    expect((await rawPoll(harness, undefined, {}, ie)).headers["x-xss-protection"]).toBe("0");
    expect((await rawPoll(harness)).headers["x-xss-protection"]).toBeUndefined();
  });

  it("reads the query a Connect-style middleware already parsed into req._query", async () => {
    const harness = await startEngine();
    harness.engine.use((req, _res, next) => {
      (req as typeof req & { _query?: unknown })._query = { EIO: "4", transport: "polling" };
      next();
    });
    const response = await rawRequest(harness.port, { path: "/engine.io/" });
    expect(response.status).toBe(200);
    expect(response.body.startsWith('0{"sid":')).toBe(true);
  });

  it("calls send callbacks once the packets are flushed, and emits flush and drain", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const events: string[] = [];
    harness.engine.on("flush", () => events.push("engine flush"));
    harness.engine.on("drain", () => events.push("engine drain"));
    const sent = new Promise<void>((resolve) => session.send("x", {}, () => resolve()));
    await rawPoll(harness, open.sid);
    await sent;
    expect(events).toEqual(["engine flush", "engine drain"]);
  });
});

describe("polling rule violations", () => {
  it("answers a second concurrent GET with 400 and sends 1 to the first one", async () => {
    const harness = await startEngine();
    const { open, closed, poll: first } = await pendingGet(harness);
    const second = await rawPoll(harness, open.sid);
    expect(second.status).toBe(400);
    expect(second.body).toBe("");
    expect((await first).body).toBe("1");
    expect((await closed)[0]).toBe("transport error");
    expect((await rawPoll(harness, open.sid)).status).toBe(400);
  });

  it("closes the session when the client aborts a pending GET", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
    const controller = new AbortController();
    const arrived = requestArrives(harness);
    const poll = rawPoll(harness, open.sid, {}, { signal: controller.signal }).catch(
      () => "aborted",
    );
    await arrived;
    controller.abort();
    expect(await poll).toBe("aborted");
    expectTransportError(await closed, "poll connection closed prematurely");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("closes with parse error on an invalid or empty payload (the POST still gets ok)", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    expect((await rawPost(harness, open.sid, "abc")).body).toBe("ok");
    expect((await closed)[0]).toBe("parse error");
    const after = await rawPoll(harness, open.sid);
    expect(JSON.parse(after.body)).toEqual({ code: 1, message: "Session ID unknown" });
    const second = await handshake(harness);
    const closedAgain = waitForEvent<[EngineCloseReason]>(second.session, "close");
    expect((await rawPost(harness, second.open.sid, "")).body).toBe("ok");
    expect((await closedAgain)[0]).toBe("parse error");
  });

  it("answers a POST of 1 with ok, sends 6 to the pending GET and closes with transport close", async () => {
    const harness = await startEngine();
    const { open, closed, poll } = await pendingGet(harness);
    expect((await rawPost(harness, open.sid, "1")).body).toBe("ok");
    expect((await poll).body).toBe("6");
    expect((await closed)[0]).toBe("transport close");
  });

  it("answers an application/octet-stream POST with 400 and closes the session", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
    const post = await rawPost(harness, open.sid, Buffer.from([4, 1, 2]), {
      "Content-Type": "application/octet-stream",
    });
    expect(post.status).toBe(400);
    expect(post.body).toBe("");
    expectTransportError(await closed, "invalid content");
  });

  it("answers 413 to a body over maxHttpBufferSize without delivering it", async () => {
    const harness = await startEngine({ maxHttpBufferSize: 100 });
    const { open, session } = await handshake(harness);
    const messages: unknown[] = [];
    session.on("message", (data) => messages.push(data));
    const post = await rawPost(harness, open.sid, `4${"x".repeat(200)}`);
    expect(post.status).toBe(413);
    expect(post.body).toBe("");
    expect(messages).toEqual([]);
    expect((await rawPost(harness, open.sid, `4${"y".repeat(99)}`)).status).toBe(200);
    expect(messages).toEqual(["y".repeat(99)]);
  });

  it("counts maxHttpBufferSize in bytes: 61 characters of 121 bytes are over a 100-byte limit", async () => {
    const harness = await startEngine({ maxHttpBufferSize: 100 });
    const { open, session } = await handshake(harness);
    const messages: unknown[] = [];
    session.on("message", (data) => messages.push(data));
    expect((await rawPost(harness, open.sid, `4${"é".repeat(60)}`)).status).toBe(413);
    expect((await rawPost(harness, open.sid, `4${"é".repeat(49)}`)).status).toBe(200);
    expect(messages).toEqual(["é".repeat(49)]);
  });

  it("answers a second concurrent POST with 400 and closes the session", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
    // A POST whose body never ends keeps the first slot busy.
    const path = harness.path({ EIO: "4", transport: "polling", sid: open.sid });
    const { request } = await import("node:http");
    const hanging = request({
      host: "127.0.0.1",
      port: harness.port,
      method: "POST",
      path,
      agent: false,
    });
    hanging.on("error", () => {});
    hanging.setHeader("Content-Length", "10");
    const arrived = requestArrives(harness);
    hanging.write("4ab");
    await arrived;
    const second = await rawPost(harness, open.sid, "4x");
    expect(second.status).toBe(400);
    expect((await closed)[0]).toBe("transport error");
    hanging.destroy();
  });
});

describe("polling close and compression", () => {
  it("defers a server close to the next GET, which receives 6 then 1", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    expect(session.readyState).toBe("closing");
    expect((await rawPoll(harness, open.sid)).body).toBe("6\x1e1");
    expect((await closed)[0]).toBe("forced close");
  });

  it("answers a pending GET with 1 when the server closes the session", async () => {
    const { session, closed, poll } = await pendingGet(await startEngine());
    session.close();
    expect((await poll).body).toBe("1");
    expect((await closed)[0]).toBe("forced close");
  });

  it("cuts off a POST still streaming when a close waiting for the next GET completes", async () => {
    for (const ending of ["next GET", "discard"] as const) {
      const harness = await startEngine();
      const { open, session } = await handshake(harness);
      const closed = waitForEvent<[EngineCloseReason]>(session, "close");
      session.close();
      // The POST starts after the close began, so the close itself could not cut it off.
      const arrived = requestArrives(harness);
      const post = streamingPost(harness, open.sid);
      await arrived;
      if (ending === "next GET") expect((await rawPoll(harness, open.sid)).body).toBe("6\x1e1");
      else session.close(true);
      expect((await closed)[0]).toBe("forced close");
      expect(await post.outcome).toBe("cut off");
    }
  });

  it("sends buffered packets first, then the close packet on the following GET", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    session.send("last");
    session.close();
    expect((await rawPoll(harness, open.sid)).body).toBe("4last");
    expect((await rawPoll(harness, open.sid)).body).toBe("6\x1e1");
  });

  it("gzips or deflates a payload over the threshold that asked for compression", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const big = "z".repeat(2000);
    for (const [encoding, inflate] of [
      ["gzip", gunzipSync],
      ["deflate", inflateSync],
    ] as const) {
      const poll = rawPoll(harness, open.sid, {}, { headers: { "Accept-Encoding": encoding } });
      session.send(big);
      const response = await poll;
      expect(response.headers["content-encoding"]).toBe(encoding);
      expect(inflate(response.raw).toString()).toBe(`4${big}`);
    }
  });

  it("does not compress small payloads, compress:false packets, or with httpCompression false", async () => {
    let harness = await startEngine();
    const { open, session } = await handshake(harness);
    const gzip = { headers: { "Accept-Encoding": "gzip" } };
    let poll = rawPoll(harness, open.sid, {}, gzip);
    session.send("small");
    expect((await poll).headers["content-encoding"]).toBeUndefined();
    poll = rawPoll(harness, open.sid, {}, gzip);
    session.send("z".repeat(2000), { compress: false });
    expect((await poll).headers["content-encoding"]).toBeUndefined();
    await harness.close();
    harness = await startEngine({ httpCompression: false });
    const second = await handshake(harness);
    poll = rawPoll(harness, second.open.sid, {}, gzip);
    second.session.send("z".repeat(2000));
    expect((await poll).body).toBe(`4${"z".repeat(2000)}`);
  });

  it("leaves unrelated paths to the server's own request listener", async () => {
    const harness = await startEngine();
    const other = await rawRequest(harness.port, { path: "/other" });
    expect(other.status).toBe(404);
    expect(other.body).toBe("not engine");
  });
});
