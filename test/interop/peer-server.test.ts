// The interop scenario with @switchyard/client against each peer's server (docs/interop.md).
// One peer server process per peer and transport, driven by commands; it prints what it sees.
import type { IoOptions, Socket } from "@switchyard/client";
import { expect } from "vitest";
import { Clients, waitFor } from "../client/helpers.js";
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
import { type PeerEvent, type PeerHello, PeerProcess } from "./support/peer-process.js";
import { fromWire, toWire } from "./support/wire.js";

interface ServerContext {
  launch: PeerLaunch;
  peer: PeerProcess;
  hello: PeerHello;
  url: string;
  transport: TransportMode;
  clients: Clients;
}

/** A client with the scenario's fixed behaviour: "echo" answered, "ignored" never. */
function open(ctx: ServerContext, nsp = "/", options: IoOptions = {}): Socket {
  const socket = ctx.clients.open(`${ctx.url}${nsp}`, {
    transports: TRANSPORT_OPTION[ctx.transport],
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    ...options,
  });
  socket.onAny((name: unknown, ...args: unknown[]) => {
    const ack = args.at(-1);
    if (name === "echo" && typeof ack === "function") ack(...args.slice(0, -1));
  });
  return socket;
}

/** Opens a client that must connect; resolves once the peer reports the same sid. */
async function connect(ctx: ServerContext, nsp = "/", options: IoOptions = {}) {
  const socket = open(ctx, nsp, options);
  await waitFor(socket, "connect", 10_000);
  const sid = String(socket.id);
  await ctx.peer.next((e) => e.ev === "connection" && e["sid"] === sid && e["nsp"] === nsp);
  return { socket, sid };
}

function fromPeer(sid: string, ev: string, name?: string): (e: PeerEvent) => boolean {
  return (e) => e.ev === ev && e["sid"] === sid && (name === undefined || e["name"] === name);
}

/** Our emit with an ack and a timeout: the ack's (err, ...args). */
function emitWithTimeout(socket: Socket, ms: number, name: string, args: unknown[]) {
  return new Promise<unknown[]>((resolve) => {
    socket.timeout(ms).emit(name, ...args, (...response: unknown[]) => resolve(response));
  });
}

function engineOf(socket: Socket) {
  const engine = socket.io.engine;
  if (engine === undefined) throw new Error("no engine");
  return engine;
}

const scenario: RoleScenario<ServerContext> = {
  async connect(ctx) {
    const { socket } = await connect(ctx);
    const engine = engineOf(socket);
    if (ctx.transport === "upgrade") {
      if (engine.transport.name !== "websocket") await waitFor(engine, "upgrade", 10_000);
      expect(engine.transport.name).toBe("websocket");
      return;
    }
    // A round trip later, still on the transport it started with.
    await emitWithTimeout(socket, ACK_TIMEOUT_MS, "echo", []);
    expect(engine.transport.name).toBe(ctx.transport);
  },

  async "events to peer"(ctx) {
    const { socket, sid } = await connect(ctx);
    const from = ctx.peer.events.length;
    socket.emit("data", ...PAYLOAD.map(fromWire));
    const event = await ctx.peer.next(fromPeer(sid, "event", "data"), 5000, from);
    expect(event["args"]).toEqual(PAYLOAD);
  },

  async "events from peer"(ctx) {
    const { socket, sid } = await connect(ctx);
    const received = waitFor<unknown[]>(socket, "data", 5000);
    const reply = await ctx.peer.request({ op: "emit", to: sid, name: "data", args: PAYLOAD });
    expect(reply).toMatchObject({ ok: true });
    expect((await received).map(toWire)).toEqual(PAYLOAD);
  },

  async "acks by peer"(ctx) {
    const { socket } = await connect(ctx);
    const [err, ...answer] = await emitWithTimeout(
      socket,
      ACK_TIMEOUT_MS,
      "echo",
      PAYLOAD.map(fromWire),
    );
    expect(err).toBeNull();
    expect(answer.map(toWire)).toEqual(PAYLOAD);
    const [late] = await emitWithTimeout(socket, SHORT_TIMEOUT_MS, "slow", [SLOW_ANSWER_MS]);
    expect(late).toHaveProperty("message", "operation has timed out");
  },

  async "acks to peer"(ctx) {
    const { sid } = await connect(ctx);
    const command = { op: "emit", to: sid, timeoutMs: ACK_TIMEOUT_MS };
    const answered = await ctx.peer.request({ ...command, name: "echo", args: PAYLOAD });
    expect(answered).toEqual({ ok: true, args: PAYLOAD });
    const ignored = await ctx.peer.request({
      ...command,
      name: "ignored",
      args: ["x"],
      timeoutMs: SHORT_TIMEOUT_MS,
    });
    expect(ignored.ok).toBe(false);
    expect(ignored.ok ? "" : ignored.error).toMatch(/time/i);
  },

  async "auth namespace"(ctx) {
    const { sid } = await connect(ctx, "/auth", { auth: { token: TOKEN } });
    const connection = await ctx.peer.next(
      (e) => e.ev === "connection" && e["sid"] === sid && e["nsp"] === "/auth",
    );
    expect(connection["auth"]).toEqual({ token: TOKEN });
    const refused = open(ctx, "/auth", { auth: { token: "wrong" }, reconnection: false });
    const [err] = await waitFor<[Error]>(refused, "connect_error", 5000);
    expect(err.message).toBe("unauthorized");
  },

  async "rejected namespace"(ctx) {
    const refused = open(ctx, "/nope", { reconnection: false });
    const [err] = await waitFor<[Error]>(refused, "connect_error", 5000);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).not.toBe("");
    expect(refused.connected).toBe(false);
  },

  async "room broadcast"(ctx) {
    const clients = [await connect(ctx), await connect(ctx), await connect(ctx)];
    const seen = clients.map(({ socket }) => {
      const names: string[] = [];
      socket.onAny((name: unknown, ...args: unknown[]) =>
        names.push(name === "news" ? JSON.stringify(args.map(toWire)) : String(name)),
      );
      return names;
    });
    for (const { sid } of clients.slice(0, 2)) {
      expect(await ctx.peer.request({ op: "join", sid, room: "room" })).toMatchObject({ ok: true });
    }
    const broadcast = { op: "emit", to: "room", name: "news", args: NEWS };
    expect(await ctx.peer.request(broadcast)).toMatchObject({ ok: true });
    for (const [i, { socket, sid }] of clients.entries()) {
      const marker = waitFor(socket, "marker", 5000);
      await ctx.peer.request({ op: "emit", to: sid, name: "marker", args: [] });
      await marker;
      expect(seen[i], sid).toEqual(i < 2 ? [JSON.stringify(NEWS), "marker"] : ["marker"]);
    }
  },

  async "server disconnect"(ctx) {
    const { socket, sid } = await connect(ctx);
    const disconnected = waitFor<[string]>(socket, "disconnect", 5000);
    // Answered too late, no timeout: settled by the disconnection (as socket.io-client 4.8 does).
    const pending = socket.emitWithAck("slow", SLOW_ANSWER_MS);
    // Handled from now on: the disconnection may reach us before the peer's answer below, and the
    // rejection would otherwise be unhandled until the assertion at the end attaches to it.
    pending.catch(() => undefined);
    await ctx.peer.next(fromPeer(sid, "event", "slow"));
    expect(await ctx.peer.request({ op: "disconnect", sid })).toMatchObject({ ok: true });
    expect((await disconnected)[0]).toBe("io server disconnect");
    await expect(pending).rejects.toThrow("socket has been disconnected");
  },

  async "client disconnect"(ctx) {
    const { socket, sid } = await connect(ctx);
    const from = ctx.peer.events.length;
    socket.disconnect();
    await ctx.peer.next(fromPeer(sid, "disconnect"), 5000, from);
  },

  async "server restart"(ctx) {
    const { socket } = await connect(ctx);
    const disconnected = waitFor<[string]>(socket, "disconnect", 5000);
    await ctx.peer.kill();
    expect((await disconnected)[0]).toMatch(/^transport (close|error)$/);
    const reconnected = waitFor(socket, "connect", 15_000);
    const port = Number(new URL(ctx.url).port);
    const restarted = await PeerProcess.start(ctx.launch, "server", port);
    ctx.peer = restarted.peer;
    await reconnected;
    const sid = String(socket.id);
    await ctx.peer.next((e) => e.ev === "connection" && e["sid"] === sid);
    const [err, answer] = await emitWithTimeout(socket, ACK_TIMEOUT_MS, "echo", ["after restart"]);
    expect([err, answer]).toEqual([null, "after restart"]);
  },
};

describeMatrix<ServerContext>(
  "server",
  {
    async start(launch: PeerLaunch, transport: TransportMode) {
      const { peer, hello } = await PeerProcess.start(launch, "server", 0);
      const url = `http://127.0.0.1:${hello.port}`;
      return { launch, peer, hello, url, transport, clients: new Clients() };
    },
    hello: (ctx) => ctx.hello,
    async afterEach(ctx) {
      ctx.clients.closeAll();
    },
    async stop(ctx) {
      ctx.clients.closeAll();
      await ctx.peer.stop();
    },
  },
  scenario,
);
