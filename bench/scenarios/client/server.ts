// Server child of the client scenario: a minimal Engine.IO v4 / Socket.IO v5 server that replays
// pre-encoded packets, the same for both client stacks, so its cost cannot favour either and the
// load each client sees is identical: every tick, each socket of a stack gets one burst of events
// in one write (one WebSocket write, or one long-polling response). It answers CONNECT and acks
// every "echo" with its payload; there are no pings.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Handler, ready, serve } from "../../lib/ipc.js";
import { FrameReader, pollingPackets, wsBurst, wsText } from "./frames.js";
import type { PushResult } from "./load.js";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Long enough that no heartbeat happens during a run. */
const OPEN = { upgrades: [], pingInterval: 600_000, pingTimeout: 600_000, maxPayload: 1e7 };
const SEPARATOR = "\x1e";

interface Session {
  sid: string;
  room: string;
  /** WebSocket sessions: the raw socket. */
  socket?: Socket;
  /** Polling sessions: packets waiting for the next GET, and the GET being held. */
  pending: string[];
  held?: ServerResponse | undefined;
}

const sessions = new Map<string, Session>();
const rooms = new Map<string, Set<Session>>();

function createSession(room: string): Session {
  const session: Session = { sid: randomBytes(9).toString("base64url"), room, pending: [] };
  sessions.set(session.sid, session);
  const members = rooms.get(room) ?? new Set();
  rooms.set(room, members);
  members.add(session);
  return session;
}

function dropSession(session: Session): void {
  sessions.delete(session.sid);
  rooms.get(session.room)?.delete(session);
  session.held?.end("1");
  session.socket?.destroy();
}

function openPacket(sid: string): string {
  return `0${JSON.stringify({ sid, ...OPEN })}`;
}

/** Answers one Socket.IO packet from a client; returns the reply packet, if any. */
function answer(session: Session, packet: string): string | undefined {
  if (packet.startsWith("40")) return `40${JSON.stringify({ sid: session.sid })}`;
  if (packet.startsWith("42")) {
    // 42<id>["echo",<payload>] → 43<id>[<payload>]
    const bracket = packet.indexOf("[");
    const comma = packet.indexOf(",", bracket);
    if (bracket > 2 && comma !== -1)
      return `43${packet.slice(2, bracket)}[${packet.slice(comma + 1)}`;
  }
  if (packet === "1" || packet === "41") dropSession(session);
  return undefined;
}

function send(session: Session, packets: readonly string[]): void {
  if (session.socket !== undefined) {
    session.socket.write(Buffer.concat(packets.map(wsText)));
    return;
  }
  session.pending.push(...packets);
  flushPoll(session);
}

function flushPoll(session: Session): void {
  const res = session.held;
  if (res === undefined || session.pending.length === 0) return;
  session.held = undefined;
  const body = session.pending.join(SEPARATOR);
  session.pending = [];
  res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" }).end(body);
}

function onPolling(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
  const sid = query.get("sid");
  if (sid === null) {
    const session = createSession(query.get("impl") ?? "");
    res
      .writeHead(200, { "content-type": "text/plain; charset=UTF-8" })
      .end(openPacket(session.sid));
    return;
  }
  const session = sessions.get(sid);
  if (session === undefined) {
    res.writeHead(400).end();
    return;
  }
  if (req.method === "GET") {
    session.held = res;
    flushPoll(session);
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (text: string) => {
    body += text;
  });
  req.on("end", () => {
    const replies: string[] = [];
    for (const packet of body.split(SEPARATOR)) {
      const reply = answer(session, packet);
      if (reply !== undefined) replies.push(reply);
    }
    res.writeHead(200, { "content-type": "text/html" }).end("ok");
    if (replies.length > 0) send(session, replies);
  });
}

function onUpgrade(req: IncomingMessage, socket: Socket): void {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || query.get("transport") !== "websocket") {
    socket.destroy();
    return;
  }
  const accept = createHash("sha1")
    .update(key + WS_GUID)
    .digest("base64");
  socket.setNoDelay(true);
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const session = createSession(query.get("impl") ?? "");
  session.socket = socket;
  socket.write(wsText(openPacket(session.sid)));
  const reader = new FrameReader(
    (text) => {
      const reply = answer(session, text);
      if (reply !== undefined) socket.write(wsText(reply));
    },
    () => dropSession(session),
  );
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  socket.on("error", () => dropSession(session));
  socket.on("close", () => dropSession(session));
}

const http = createServer((req, res) => {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  if (query.get("transport") === "polling") onPolling(req, res, query);
  else res.writeHead(400).end();
});
http.on("upgrade", onUpgrade);

const wsBursts = new Map<string, Buffer>();
const pollBursts = new Map<string, string[]>();

function cached<T>(cache: Map<string, T>, from: number, to: number, make: () => T): T {
  const key = `${from}-${to}`;
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** Pushes `emits` events to every socket of `room`, `burst` per socket per tick. */
const push: Handler = async (args) => {
  const { room, emits, burst, tickMs } = args as {
    room: string;
    emits: number;
    burst: number;
    tickMs: number;
  };
  const members = [...(rooms.get(room) ?? [])];
  for (let from = 0; from < emits; from += burst) {
    const to = Math.min(emits, from + burst);
    for (const session of members) {
      if (session.socket !== undefined) {
        session.socket.write(cached(wsBursts, from, to, () => wsBurst(from, to)));
      } else {
        send(
          session,
          cached(pollBursts, from, to, () => pollingPackets(from, to)),
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  return { emitted: emits } satisfies PushResult;
};

http.listen(0, "127.0.0.1", () => {
  serve({ push });
  ready({ port: (http.address() as AddressInfo).port });
});
