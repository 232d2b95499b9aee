// Contract: connecting over each transport, argument round trips (binary at depth), acks both
// ways, buffering before connect, refusals and disconnect reasons.
import { describe, expect } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type PeerSocket, waitFor } from "./helpers.js";

const MODES = {
  polling: { transports: ["polling"] as ["polling"] },
  websocket: { transports: ["websocket"] as ["websocket"] },
  upgrade: { transports: ["polling", "websocket"] as ["polling", "websocket"] },
} as const;

function echoServer(socket: PeerSocket): void {
  socket.on("echo", (...args: unknown[]) => {
    const ack = args.pop() as (...a: unknown[]) => void;
    ack(...args);
  });
  socket.on("bounce", (...args: unknown[]) => socket.emit("bounced", ...args));
}

export const deepArgs = (): unknown[] => [
  1,
  "two",
  true,
  null,
  { nested: { list: [1, "x", { bin: new Uint8Array([1, 2, 3]) }] } },
  [new Uint8Array([4, 5]), [new Uint8Array([6])]],
  new Uint8Array([255, 0, 127]).buffer,
  { empty: new Uint8Array(0) },
];

function bytesOf(value: unknown): number[] | undefined {
  if (value instanceof ArrayBuffer) return [...new Uint8Array(value)];
  if (ArrayBuffer.isView(value)) {
    return [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
  }
  return undefined;
}

/** Binary → plain byte arrays, so Buffers, Uint8Arrays and ArrayBuffers compare equal. */
export function normalise(value: unknown): unknown {
  const bytes = bytesOf(value);
  if (bytes !== undefined) return { bytes };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

export function connectSuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  describe.each(Object.entries(MODES))("over %s", (mode, opts) => {
    it("connects, gets a server-assigned id and ends on the expected transport", async () => {
      const peer = await startPeer({ setup: (io) => io.on("connection", echoServer) });
      const serverSide = waitFor<[PeerSocket]>(peer.io, "connection");
      const socket = clients.open(peer.url, opts);
      await connected(socket);
      const [server] = await serverSide;
      expect(socket.id).toBe(server.id);
      expect(socket.active).toBe(true);
      if (mode === "upgrade" && socket.io.engine?.transport.name !== "websocket") {
        await waitFor(socket.io.engine as never, "upgrade");
      }
      const expected = mode === "polling" ? "polling" : "websocket";
      expect(socket.io.engine?.transport.name).toBe(expected);
      // The server switches once it reads the client's upgrade packet.
      if (server.conn.transport.name !== expected) await waitFor(server.conn, "upgrade");
      expect(server.conn.transport.name).toBe(expected);
    });

    it("round-trips every argument type, binary included at depth, through a server ack", async () => {
      const peer = await startPeer({ setup: (io) => io.on("connection", echoServer) });
      const socket = clients.open(peer.url, opts);
      await connected(socket);
      const reply = await new Promise<unknown[]>((resolve) => {
        socket.emit("echo", ...deepArgs(), (...args: unknown[]) => resolve(args));
      });
      expect(normalise(reply)).toEqual(normalise(deepArgs()));
    });

    it("receives binary events from the server and acks them with binary", async () => {
      let serverSocket: PeerSocket | undefined;
      const peer = await startPeer({
        setup: (io) => io.on("connection", (s) => (serverSocket = s)),
      });
      const socket = clients.open(peer.url, opts);
      socket.on("ask", (data: unknown, ack: (...a: unknown[]) => void) => {
        ack({ got: data, extra: new Uint8Array([9]) });
      });
      await connected(socket);
      const answer = await (serverSocket as PeerSocket)
        .timeout(3000)
        .emitWithAck("ask", { inner: [new Uint8Array([7, 7])] });
      expect(normalise(answer)).toEqual({
        got: { inner: [{ bytes: [7, 7] }] },
        extra: { bytes: [9] },
      });
    });
  });

  it("delivers emits made before the connection once connected, exactly once", async () => {
    const received: unknown[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) => {
          s.on("early", (n: unknown) => received.push(n));
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const socket = clients.open(peer.url);
    socket.emit("early", 1);
    socket.emit("early", 2);
    expect(socket.sendBuffer).toHaveLength(2);
    await connected(socket);
    await socket.timeout(3000).emitWithAck("sync");
    expect(received).toEqual([1, 2]);
    expect(socket.sendBuffer).toHaveLength(0);
  });

  it("reports a middleware refusal as connect_error carrying the server's data, and goes inactive", async () => {
    const peer = await startPeer({
      setup: (io) =>
        io.use((_socket, next) => {
          const err = new Error("not authorized") as Error & { data?: unknown };
          err.data = { reason: "token" };
          next(err);
        }),
    });
    const socket = clients.open(peer.url);
    const [err] = await waitFor<[Error & { data?: unknown }]>(socket, "connect_error");
    expect(err.message).toBe("not authorized");
    expect(err.data).toEqual({ reason: "token" });
    expect(socket.active).toBe(false);
  });

  it("reports an unknown namespace as connect_error 'Invalid namespace'", async () => {
    const peer = await startPeer();
    const socket = clients.open(`${peer.url}/nowhere`);
    const [err] = await waitFor<[Error]>(socket, "connect_error");
    expect(err.message).toBe("Invalid namespace");
  });

  it("disconnect() reports io client disconnect here and client namespace disconnect on the server", async () => {
    const peer = await startPeer();
    const serverSide = waitFor<[PeerSocket]>(peer.io, "connection");
    const socket = clients.open(peer.url);
    await connected(socket);
    const [server] = await serverSide;
    const serverReason = waitFor<[string]>(server, "disconnect");
    const clientReason = waitFor<[string]>(socket, "disconnect");
    socket.disconnect();
    expect((await clientReason)[0]).toBe("io client disconnect");
    expect((await serverReason)[0]).toBe("client namespace disconnect");
    expect(socket.active).toBe(false);
    expect(socket.id).toBeUndefined();
  });

  it("a server-side disconnect gives io server disconnect and no automatic reconnection", async () => {
    const peer = await startPeer({
      setup: (io) => io.on("connection", (s) => s.on("kick", () => s.disconnect())),
    });
    const socket = clients.open(peer.url);
    await connected(socket);
    const reason = waitFor<[string]>(socket, "disconnect");
    socket.emit("kick");
    expect((await reason)[0]).toBe("io server disconnect");
    expect(socket.active).toBe(false);
  });

  it("drops a volatile emit made while disconnected and sends a normal one later", async () => {
    const received: string[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) => {
          s.onAny((ev: string) => received.push(ev));
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const socket = clients.open(peer.url);
    socket.volatile.emit("lost");
    socket.emit("kept");
    await connected(socket);
    await socket.timeout(3000).emitWithAck("sync");
    expect(received).toEqual(["kept", "sync"]);
  });

  it("calls onAny before the event listener and onAnyOutgoing for outgoing events", async () => {
    const peer = await startPeer({ setup: (io) => io.on("connection", echoServer) });
    const socket = clients.open(peer.url);
    const seen: string[] = [];
    socket.onAny((ev: unknown) => seen.push(`any:${String(ev)}`));
    socket.onAnyOutgoing((ev: unknown) => seen.push(`out:${String(ev)}`));
    socket.on("bounced", () => seen.push("listener"));
    await connected(socket);
    socket.compress(false).emit("bounce", 1);
    await waitFor(socket, "bounced");
    expect(seen).toEqual(["out:bounce", "any:bounced", "listener"]);
  });

  it("connects again by hand after io server disconnect, with a new id and a fresh auth", async () => {
    const auths: unknown[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) => {
          auths.push(s.handshake.auth);
          s.on("kick", () => s.disconnect());
        }),
    });
    let calls = 0;
    const socket = clients.open(peer.url, { auth: (cb) => cb({ call: ++calls }) });
    await connected(socket);
    const firstId = socket.id;
    const reason = waitFor<[string]>(socket, "disconnect");
    socket.emit("kick");
    expect((await reason)[0]).toBe("io server disconnect");
    socket.connect();
    await connected(socket);
    expect(socket.id).not.toBe(firstId);
    expect(auths).toEqual([{ call: 1 }, { call: 2 }]);
  });
}
