// The floor of the polling scenario, in its own process: `tsx floor-server.ts <http|net>` answers
// the polling generator with the least an Engine.IO server must do (handshake, hold one GET per
// sid, answer it with the ack of each echo event), with no Engine.IO or Socket.IO library:
// - `http`: on node:http, as both stacks are;
// - `net`: on a bare TCP socket with a minimal HTTP/1.1 reader (Content-Length bodies, no
//   limits, no validation). Not a server anyone should run; it measures what the socket layer
//   alone costs: the read and the write of each request, which any server on Node's sockets pays.
// It trusts its one client completely: bench only.
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { ready, serve } from "../../lib/ipc.js";
import type { ServerReady } from "../server-under-test/server.js";
import { RECORD_SEPARATOR } from "../server-under-test/wire.js";

const kind = process.argv[2];
if (kind !== "http" && kind !== "net") throw new Error(`unknown floor ${kind}`);

const OPEN_TAIL = '","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
const ECHO = /^42(\d+)\["echo",(.*)\]$/s;

/** Where a held GET is answered: the response (http) or the socket (net). */
type Reply = (text: string) => void;

const held = new Map<string, Reply>();
const queued = new Map<string, string[]>();
let sessions = 0;

function deliver(sid: string, packet: string): void {
  const reply = held.get(sid);
  if (reply !== undefined) {
    held.delete(sid);
    reply(packet);
    return;
  }
  const queue = queued.get(sid);
  if (queue === undefined) queued.set(sid, [packet]);
  else queue.push(packet);
}

/** One polling request, answered through `reply` now or (a GET with nothing queued) later. */
function handle(method: string, url: string, body: string, reply: Reply): void {
  const at = url.indexOf("sid=");
  if (at === -1) {
    reply(`0{"sid":"floor${String(sessions++).padStart(15, "0")}${OPEN_TAIL}`);
    return;
  }
  const end = url.indexOf("&", at);
  const sid = url.slice(at + 4, end === -1 ? undefined : end);
  if (method === "GET") {
    const queue = queued.get(sid);
    if (queue === undefined || queue.length === 0) held.set(sid, reply);
    else {
      queued.delete(sid);
      reply(queue.join(RECORD_SEPARATOR));
    }
    return;
  }
  reply("ok");
  for (const packet of body.split(RECORD_SEPARATOR)) {
    if (packet === "40") deliver(sid, '40{"sid":"floor"}');
    const echo = ECHO.exec(packet);
    if (echo !== null) deliver(sid, `43${echo[1]}[${echo[2]}]`);
  }
}

const TEXT = { "Content-Type": "text/plain; charset=UTF-8" };

const httpServer = createHttpServer((req, res: ServerResponse) => {
  const reply: Reply = (text) => {
    res.writeHead(200, TEXT);
    res.end(text);
  };
  if (req.method !== "POST") {
    handle(req.method ?? "GET", req.url ?? "", "", reply);
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => {
    body += chunk;
  });
  req.on("end", () => handle("POST", req.url ?? "", body, reply));
});

function socketReply(socket: Socket): Reply {
  return (text) => {
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: keep-alive\r\n\r\n${text}`,
    );
  };
}

const netServer = createNetServer((socket) => {
  const reply = socketReply(socket);
  let buffered = "";
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (;;) {
      const headEnd = buffered.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const head = buffered.slice(0, headEnd);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      const body = Buffer.from(buffered.slice(headEnd + 4, headEnd + 4 + length), "latin1");
      buffered = buffered.slice(headEnd + 4 + length);
      const [method = "", url = ""] = head.split(" ", 2);
      handle(method, url, body.toString("utf8"), reply);
    }
  });
  socket.on("error", () => socket.destroy());
});

serve({});
const server = kind === "http" ? httpServer : netServer;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  ready({ port, pid: process.pid } satisfies ServerReady);
});
