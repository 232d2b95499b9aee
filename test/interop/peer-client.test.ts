// The interop scenario with each peer's client against @switchyard/server (docs/interop.md).
// One peer process per peer and transport opens a client per command; our server answers with
// the scenario's fixed behaviour and records what it sees.
import { expect } from "vitest";
import type { PeerLaunch } from "../support/peers.js";
import {
  ACK_TIMEOUT_MS,
  NEWS,
  PAYLOAD,
  type RoleScenario,
  SHORT_TIMEOUT_MS,
  SLOW_ANSWER_MS,
  TOKEN,
  TRANSPORT_OPTION,
  type TransportMode,
} from "./scenario.js";
import { describeMatrix } from "./support/describe-matrix.js";
import type { Inbox } from "./support/inbox.js";
import { OurServer, type ServerSeen } from "./support/our-server.js";
import { type PeerEvent, type PeerHello, PeerProcess } from "./support/peer-process.js";
import { fromWire, toWire, type WireValue } from "./support/wire.js";

interface ClientContext {
  peer: PeerProcess;
  hello: PeerHello;
  server: OurServer;
  seen: Inbox<ServerSeen>;
  transport: TransportMode;
  /** Client ids opened by the running test. */
  opened: string[];
  nextId: number;
}

interface ConnectOptions {
  nsp?: string;
  auth?: Record<string, WireValue>;
}

/** Opens a peer client; resolves with its id and the reply (ok: the sid). */
async function open(ctx: ClientContext, options: ConnectOptions = {}) {
  const id = `c${ctx.nextId++}`;
  ctx.opened.push(id);
  // The peers give up connecting after 15 s (a loaded CI machine may be slow to answer).
  const reply = await ctx.peer.request(
    {
      op: "connect",
      id,
      url: ctx.server.url,
      nsp: options.nsp ?? "/",
      transports: TRANSPORT_OPTION[ctx.transport],
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    },
    20_000,
  );
  return { id, reply };
}

/** Opens a peer client that must connect; resolves with its id and sid. */
async function connect(ctx: ClientContext, options: ConnectOptions = {}) {
  const { id, reply } = await open(ctx, options);
  if (!reply.ok) throw new Error(`the peer could not connect: ${reply.error}`);
  const sid = String(reply.args[0]);
  await ctx.seen.next((s) => s.kind === "connection" && s.sid === sid);
  return { id, sid };
}

function peerEvent(id: string, ev: string, name?: string): (e: PeerEvent) => boolean {
  return (e) => e.ev === ev && e["id"] === id && (name === undefined || e["name"] === name);
}

/** Our server's emit with an ack and a timeout: the ack's (err, ...args). */
function emitWithTimeout(
  ctx: ClientContext,
  sid: string,
  ms: number,
  name: string,
  args: unknown[],
) {
  return new Promise<unknown[]>((resolve) => {
    ctx.server
      .socket(sid)
      .timeout(ms)
      .emit(name, ...args, (...response: unknown[]) => resolve(response));
  });
}

const scenario: RoleScenario<ClientContext> = {
  async connect(ctx) {
    const { sid } = await connect(ctx);
    const connection = await ctx.seen.next((s) => s.kind === "connection" && s.sid === sid);
    const engineId = connection.kind === "connection" ? connection.engineId : "";
    const session = await ctx.seen.next((s) => s.kind === "session" && s.engineId === engineId);
    expect(session).toMatchObject({
      transport: ctx.transport === "websocket" ? "websocket" : "polling",
    });
    const upgraded = (s: ServerSeen): boolean => s.kind === "upgrade" && s.engineId === engineId;
    if (ctx.transport === "upgrade") {
      expect(await ctx.seen.next(upgraded)).toMatchObject({ transport: "websocket" });
    } else {
      expect(ctx.seen.items.filter(upgraded)).toEqual([]);
    }
  },

  async "events to peer"(ctx) {
    const { id, sid } = await connect(ctx);
    const from = ctx.peer.events.length;
    ctx.server.socket(sid).emit("data", ...PAYLOAD.map(fromWire));
    const event = await ctx.peer.next(peerEvent(id, "event", "data"), 5000, from);
    expect(event["args"]).toEqual(PAYLOAD);
  },

  async "events from peer"(ctx) {
    const { id, sid } = await connect(ctx);
    const from = ctx.seen.items.length;
    const reply = await ctx.peer.request({ op: "emit", id, name: "data", args: PAYLOAD });
    expect(reply).toMatchObject({ ok: true });
    const event = await ctx.seen.next(
      (s) => s.kind === "event" && s.sid === sid && s.name === "data",
      5000,
      from,
    );
    expect(event.kind === "event" ? event.args : undefined).toEqual(PAYLOAD);
  },

  async "acks by peer"(ctx) {
    const { sid } = await connect(ctx);
    const [err, ...answer] = await emitWithTimeout(
      ctx,
      sid,
      ACK_TIMEOUT_MS,
      "echo",
      PAYLOAD.map(fromWire),
    );
    expect(err).toBeNull();
    expect(answer.map(toWire)).toEqual(PAYLOAD);
    const [late] = await emitWithTimeout(ctx, sid, SHORT_TIMEOUT_MS, "slow", [SLOW_ANSWER_MS]);
    expect(late).toHaveProperty("message", "operation has timed out");
  },

  async "acks to peer"(ctx) {
    const { id } = await connect(ctx);
    const answered = await ctx.peer.request({
      op: "emit",
      id,
      name: "echo",
      args: PAYLOAD,
      timeoutMs: ACK_TIMEOUT_MS,
    });
    expect(answered).toEqual({ ok: true, args: PAYLOAD });
    const ignored = await ctx.peer.request({
      op: "emit",
      id,
      name: "ignored",
      args: ["x"],
      timeoutMs: SHORT_TIMEOUT_MS,
    });
    expect(ignored.ok).toBe(false);
    expect(ignored.ok ? "" : ignored.error).toMatch(/time/i);
  },

  async "auth namespace"(ctx) {
    const { sid } = await connect(ctx, { nsp: "/auth", auth: { token: TOKEN } });
    expect(ctx.server.socket(sid, "/auth").handshake.auth).toEqual({ token: TOKEN });
    const { id, reply } = await open(ctx, { nsp: "/auth", auth: { token: "wrong" } });
    expect(reply.ok).toBe(false);
    const refused = await ctx.peer.next(peerEvent(id, "connect_error"));
    expect(JSON.stringify(refused["data"])).toContain("unauthorized");
  },

  async "rejected namespace"(ctx) {
    const { id, reply } = await open(ctx, { nsp: "/nope" });
    expect(reply.ok).toBe(false);
    const refused = await ctx.peer.next(peerEvent(id, "connect_error"));
    expect(JSON.stringify(refused["data"])).toContain("Invalid namespace");
  },

  async "room broadcast"(ctx) {
    const clients = [await connect(ctx), await connect(ctx), await connect(ctx)];
    const from = ctx.peer.events.length;
    for (const { sid } of clients.slice(0, 2)) ctx.server.socket(sid).join("room");
    ctx.server.io.to("room").emit("news", ...NEWS.map(fromWire));
    ctx.server.io.emit("marker");
    for (const [i, { id }] of clients.entries()) {
      const marker = await ctx.peer.next(peerEvent(id, "event", "marker"), 5000, from);
      const before = ctx.peer.events.slice(from, ctx.peer.events.indexOf(marker));
      const news = before.filter(peerEvent(id, "event", "news")).map((e) => e["args"]);
      expect(news, id).toEqual(i < 2 ? [NEWS] : []);
    }
  },

  async "server disconnect"(ctx) {
    const { id, sid } = await connect(ctx);
    const from = ctx.peer.events.length;
    ctx.server.socket(sid).disconnect();
    await ctx.peer.next(peerEvent(id, "disconnect"), 5000, from);
  },

  async "client disconnect"(ctx) {
    const { id, sid } = await connect(ctx);
    expect(await ctx.peer.request({ op: "disconnect", id })).toMatchObject({ ok: true });
    const seen = await ctx.seen.next((s) => s.kind === "disconnect" && s.sid === sid);
    expect(seen.kind === "disconnect" ? seen.reason : "").toBe("client namespace disconnect");
  },

  async "server restart"(ctx) {
    const { id } = await connect(ctx);
    const from = ctx.peer.events.length;
    const port = ctx.server.port;
    await ctx.server.close();
    await ctx.peer.next(peerEvent(id, "disconnect"), 5000, from);
    ctx.server = await OurServer.start(port, ctx.seen);
    await ctx.peer.next(peerEvent(id, "connect"), 10_000, from);
    const answered = await ctx.peer.request({
      op: "emit",
      id,
      name: "echo",
      args: ["after restart"],
      timeoutMs: ACK_TIMEOUT_MS,
    });
    expect(answered).toEqual({ ok: true, args: ["after restart"] });
  },
};

describeMatrix<ClientContext>(
  "client",
  {
    async start(launch: PeerLaunch, transport: TransportMode) {
      const server = await OurServer.start();
      try {
        const { peer, hello } = await PeerProcess.start(launch, "client");
        return { peer, hello, server, seen: server.seen, transport, opened: [], nextId: 1 };
      } catch (error) {
        await server.close();
        throw error;
      }
    },
    hello: (ctx) => ctx.hello,
    async afterEach(ctx) {
      const opened = ctx.opened.splice(0);
      await Promise.all(opened.map((id) => ctx.peer.request({ op: "disconnect", id })));
    },
    async stop(ctx) {
      await ctx.peer.stop();
      await ctx.server.close();
    },
  },
  scenario,
);
