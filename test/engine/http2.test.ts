// Polling over an HTTP/2 (h2c) server through Node's compatibility API: handshake, echo, 413 and
// a parse error only reset their own stream, never the shared HTTP/2 connection.
import { type ClientHttp2Session, connect, createServer, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { EngineServer, type EngineSession } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { waitForEvent } from "./support/engine-harness.js";

let server: Http2Server | undefined;
let engine: EngineServer | undefined;
let client: ClientHttp2Session | undefined;

afterEach(async () => {
  client?.destroy();
  await engine?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  client = undefined;
  engine = undefined;
  server = undefined;
});

interface H2Answer {
  status: number;
  body: string;
}

function h2Request(
  session: ClientHttp2Session,
  path: string,
  method = "GET",
  body?: string,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path, ":method": method });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString() }));
    stream.on("error", reject);
    stream.end(body);
  });
}

async function start(options = {}): Promise<ClientHttp2Session> {
  server = createServer();
  engine = new EngineServer(options).attach(server);
  engine.on("connection", (session) => session.on("message", (data) => session.send(data)));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  client = connect(`http://127.0.0.1:${port}`);
  client.on("error", () => {});
  return client;
}

describe("polling over HTTP/2", () => {
  it("handshakes and echoes over one HTTP/2 connection", async () => {
    const session = await start();
    const open = await h2Request(session, "/engine.io/?EIO=4&transport=polling");
    expect(open.status).toBe(200);
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    const path = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    expect((await h2Request(session, path, "POST", "4hello")).body).toBe("ok");
    expect((await h2Request(session, path)).body).toBe("4hello");
  });

  it("answers 413 and a parse error on their own streams only", async () => {
    const session = await start({ maxHttpBufferSize: 50 });
    const connection = waitForEvent<[EngineSession]>(engine as EngineServer, "connection");
    const open = await h2Request(session, "/engine.io/?EIO=4&transport=polling");
    const [engineSession] = await connection;
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    const path = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    expect((await h2Request(session, path, "POST", `4${"x".repeat(100)}`)).status).toBe(413);
    const closed = waitForEvent<[string]>(engineSession, "close");
    await h2Request(session, path, "POST", "garbage").catch(() => undefined);
    expect((await closed)[0]).toBe("parse error");
    const again = await h2Request(session, "/engine.io/?EIO=4&transport=polling");
    expect(again.body.startsWith("0{")).toBe(true);
  });
});
