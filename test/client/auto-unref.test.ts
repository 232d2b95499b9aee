// autoUnref in Node: a client connected with it does not keep the process running (its timers and
// its sockets are unref'd, as the official client's are), over polling, the built-in WebSocket
// client and `ws` (perMessageDeflate). Each client runs in a process of its own.
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Server } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { terminate } from "../support/child-exit.js";
import { type LineProcess, spawnNode } from "../support/line-process.js";

const root = join(import.meta.dirname, "..", "..");
const fixture = join(import.meta.dirname, "fixtures", "auto-unref-client.ts");

let http: HttpServer | undefined;
let io: Server | undefined;
const children: LineProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await terminate(child.child, "SIGKILL");
  await io?.close();
  io = undefined;
  http = undefined;
});

async function serve(): Promise<string> {
  http = createServer();
  io = new Server(http);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function client(url: string, transports: string, autoUnref: boolean, deflate: boolean) {
  const args = [url, transports, autoUnref ? "1" : "0", deflate ? "1" : "0"];
  const node = spawnNode(["--import", "tsx", "--conditions=source", fixture, ...args], {
    cwd: root,
    env: process.env,
  });
  children.push(node);
  return node;
}

const cases: [string, string, boolean][] = [
  ["polling", "polling", false],
  ["the built-in WebSocket client", "websocket", false],
  ["ws (perMessageDeflate)", "websocket", true],
];

describe.each(cases)("autoUnref over %s", (_name, transports, deflate) => {
  it("lets the process exit while the connection is open", async () => {
    const url = await serve();
    const node = client(url, transports, true, deflate);
    // It exits by itself, connected: a ref'd socket (the pending poll, the WebSocket) or timer
    // (the heartbeat deadline) would have held it for as long as the connection lasts.
    expect(await node.exited).toBe(0);
    expect(node.stderr).toEqual([]);
    const [line] = node.lines.map((text) => JSON.parse(text) as { transport: string });
    expect(line?.transport).toBe(transports);
  });

  it("keeps the process running without it (its socket holds the event loop)", async () => {
    const url = await serve();
    const node = client(url, transports, false, deflate);
    expect(await node.exited).toBe(0);
    const [line] = node.lines.map((text) => JSON.parse(text) as { resources: string[] });
    expect(line?.resources).toContain("TCPSocketWrap");
  });
});
