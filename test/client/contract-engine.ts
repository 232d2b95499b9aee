// Contract: engine options — upgrade off, rememberUpgrade, tryAllTransports, addTrailingSlash,
// withCredentials' cookie jar in Node, transportOptions and forceBase64, binaryType, and the
// server's limits seen from the client (maxHttpBufferSize, allowRequest).
import type { IncomingMessage } from "node:http";
import { expect } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type Peer, type PeerSocket, waitFor } from "./helpers.js";

export function engineSuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  const echo = (io: Peer["io"]): void => {
    io.on("connection", (s) =>
      s.on("echo", (data: unknown, ack: (d: unknown) => void) => ack(data)),
    );
  };

  it("stays on polling when upgrade is false", async () => {
    const peer = await startPeer({ setup: echo });
    const socket = clients.open(peer.url, { upgrade: false });
    await connected(socket);
    await expect(socket.timeout(2000).emitWithAck("echo", "x")).resolves.toBe("x");
    expect(socket.io.engine?.transport.name).toBe("polling");
  });

  it("starts the next connection on WebSocket with rememberUpgrade after a successful upgrade", async () => {
    const peer = await startPeer({ setup: echo });
    const first = clients.open(peer.url, { rememberUpgrade: true });
    await connected(first);
    if (first.io.engine?.transport.name !== "websocket") {
      await waitFor(first.io.engine as object, "upgrade");
    }
    const transports: string[] = [];
    peer.io.engine.on("connection", (conn: { transport: { name: string } }) =>
      transports.push(conn.transport.name),
    );
    const second = clients.open(peer.url, { rememberUpgrade: true });
    await connected(second);
    expect(transports).toEqual(["websocket"]);
  });

  it("falls back to the next transport with tryAllTransports when the first cannot open", async () => {
    const peer = await startPeer({ serverOptions: { transports: ["polling"] }, setup: echo });
    const failing = clients.open(peer.url, {
      transports: ["websocket", "polling"],
      reconnection: false,
    });
    const [err] = await waitFor<[Error]>(failing, "connect_error");
    expect(err.message).toBe("websocket error");
    const socket = clients.open(peer.url, {
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    await connected(socket);
    expect(socket.io.engine?.transport.name).toBe("polling");
  });

  it("reaches a server that serves the path without a trailing slash when addTrailingSlash is false", async () => {
    const urls: string[] = [];
    const peer = await startPeer({ serverOptions: { addTrailingSlash: false }, setup: echo });
    peer.io.engine.on("headers", (_headers: object, req: IncomingMessage) =>
      urls.push(req.url ?? ""),
    );
    const socket = clients.open(peer.url, { addTrailingSlash: false, transports: ["polling"] });
    await connected(socket);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((url) => url.startsWith("/socket.io?"))).toBe(true);
  });

  it("sends back the server's cookies with withCredentials (Node cookie jar)", async () => {
    const cookies: Array<string | undefined> = [];
    const peer = await startPeer({ serverOptions: { cookie: true }, setup: echo });
    peer.io.engine.on("headers", (_headers: object, req: IncomingMessage) =>
      cookies.push(req.headers.cookie),
    );
    const socket = clients.open(peer.url, { withCredentials: true, transports: ["polling"] });
    await connected(socket);
    await socket.timeout(2000).emitWithAck("echo", 1);
    const sid = socket.io.engine?.id;
    expect(cookies[0]).toBeUndefined();
    expect(cookies.slice(1)).toContain(`io=${sid}`);
  });

  it("applies transportOptions per transport and sends binary as base64 with forceBase64", async () => {
    let serverSocket: PeerSocket | undefined;
    const peer = await startPeer({
      setup: (io) => {
        echo(io);
        io.on("connection", (s) => (serverSocket = s));
      },
    });
    const socket = clients.open(peer.url, {
      transports: ["websocket"],
      forceBase64: true,
      transportOptions: { websocket: { extraHeaders: { "x-ws": "1" } } },
    });
    await connected(socket);
    expect(serverSocket?.handshake.headers["x-ws"]).toBe("1");
    expect(serverSocket?.handshake.query["b64"]).toBe("1");
    const reply = await socket.timeout(2000).emitWithAck("echo", new Uint8Array([5, 6]));
    expect([...new Uint8Array(reply as ArrayBuffer)]).toEqual([5, 6]);
  });

  it("decodes binary into the engine's current binaryType", async () => {
    const peer = await startPeer({ setup: echo });
    const socket = clients.open(peer.url, { transports: ["websocket"] });
    await connected(socket);
    const asBuffer = await socket.timeout(2000).emitWithAck("echo", new Uint8Array([1]));
    expect(Buffer.isBuffer(asBuffer)).toBe(true);
    (socket.io.engine as { binaryType: string }).binaryType = "arraybuffer";
    const asArrayBuffer = await socket.timeout(2000).emitWithAck("echo", new Uint8Array([2]));
    expect(asArrayBuffer).toBeInstanceOf(ArrayBuffer);
  });

  for (const [transport, reason] of [
    ["polling", "transport error"],
    ["websocket", "transport close"],
  ] as const) {
    it(`drops a connection over ${transport} whose emit exceeds maxHttpBufferSize, then reconnects`, async () => {
      const peer = await startPeer({
        serverOptions: { maxHttpBufferSize: 1000 },
        setup: (io) => io.on("connection", (s) => s.on("sync", (ack: () => void) => ack())),
      });
      const socket = clients.open(peer.url, { transports: [transport] });
      await connected(socket);
      const dropped = waitFor<[string, { description?: unknown } | undefined]>(
        socket,
        "disconnect",
      );
      socket.emit("too-big", "x".repeat(5000));
      const [why, details] = await dropped;
      expect(why).toBe(reason);
      // Polling: the server answers the POST with 413 Payload Too Large.
      if (transport === "polling") expect(details?.description).toBe(413);
      await waitFor(socket, "connect", 10_000);
      await socket.timeout(3000).emitWithAck("sync");
    });
  }

  it("reports an allowRequest refusal as a transport error of the first transport", async () => {
    const peer = await startPeer({
      serverOptions: { allowRequest: (_req, callback) => callback("go away", false) },
    });
    const polling = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    const [pollErr] = await waitFor<[Error & { type?: string; description?: unknown }]>(
      polling,
      "connect_error",
    );
    expect(pollErr.message).toBe("xhr poll error");
    expect(pollErr.type).toBe("TransportError");
    expect(pollErr.description).toBe(403);
    const ws = clients.open(peer.url, { transports: ["websocket"], reconnection: false });
    const [wsErr] = await waitFor<[Error & { type?: string }]>(ws, "connect_error");
    expect(wsErr.message).toBe("websocket error");
    expect(wsErr.type).toBe("TransportError");
  });
}
