// Contract: io() lookup, Manager cache and namespace multiplexing over one engine session.

import { expect } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type Peer, type PeerSocket, waitFor } from "./helpers.js";

export function namespaceSuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  const withAdmin = (io: Peer["io"]): void => {
    io.of("/admin").on("connection", (s) =>
      s.on("where", (ack: (n: string) => void) => ack(s.nsp.name)),
    );
    io.on("connection", (s) => s.on("where", (ack: (n: string) => void) => ack(s.nsp.name)));
  };

  it("multiplexes two namespaces of one host over a single Manager and engine session", async () => {
    const peer = await startPeer({ setup: withAdmin });
    const sockets: PeerSocket[] = [];
    peer.io.on("connection", (s) => sockets.push(s));
    peer.io.of("/admin").on("connection", (s) => sockets.push(s));
    const main = clients.lookup(peer.url, { multiplex: true });
    const admin = clients.lookup(`${peer.url}/admin`);
    await Promise.all([connected(main), connected(admin)]);
    expect(admin.io).toBe(main.io);
    expect(sockets).toHaveLength(2);
    expect(sockets[0]?.conn).toBe(sockets[1]?.conn);
    await expect(admin.timeout(2000).emitWithAck("where")).resolves.toBe("/admin");
    await expect(main.timeout(2000).emitWithAck("where")).resolves.toBe("/");
  });

  it("keeps the shared connection open while another namespace is still active", async () => {
    const peer = await startPeer({ setup: withAdmin });
    const main = clients.lookup(peer.url);
    const admin = clients.lookup(`${peer.url}/admin`);
    await Promise.all([connected(main), connected(admin)]);
    admin.disconnect();
    await expect(main.timeout(2000).emitWithAck("where")).resolves.toBe("/");
    main.disconnect();
    expect(main.io._readyState).toBe("closed");
  });

  it("creates a new Manager for forceNew, multiplex: false and an already-open namespace", async () => {
    const peer = await startPeer({ setup: withAdmin });
    const first = clients.lookup(peer.url);
    const forced = clients.lookup(peer.url, { forceNew: true });
    const separate = clients.lookup(peer.url, { multiplex: false });
    const again = clients.lookup(peer.url);
    expect(new Set([first.io, forced.io, separate.io, again.io]).size).toBe(4);
    await Promise.all([first, forced, separate, again].map((s) => connected(s)));
  });

  it("passes the URI query and auth to the server handshake", async () => {
    const peer = await startPeer();
    const serverSide = waitFor<[PeerSocket]>(peer.io, "connection");
    const socket = clients.open(`${peer.url}/?room=blue&n=1`, { auth: { token: "abc" } });
    await connected(socket);
    const [server] = await serverSide;
    expect(server.handshake.query["room"]).toBe("blue");
    expect(server.handshake.query["n"]).toBe("1");
    expect(server.handshake.auth).toEqual({ token: "abc" });
  });

  it("sends the query option, extraHeaders and a custom path", async () => {
    const peer = await startPeer({ serverOptions: { path: "/custom-path" } });
    const serverSide = waitFor<[PeerSocket]>(peer.io, "connection");
    const socket = clients.open(peer.url, {
      path: "/custom-path",
      query: { team: "red" },
      extraHeaders: { "x-test": "yes" },
      transports: ["polling"],
    });
    await connected(socket);
    const [server] = await serverSide;
    expect(server.handshake.query["team"]).toBe("red");
    expect(server.handshake.headers["x-test"]).toBe("yes");
  });

  it("splits polling POSTs so that none exceeds the server's maxHttpBufferSize", async () => {
    const received: number[] = [];
    const peer = await startPeer({
      serverOptions: { maxHttpBufferSize: 2000 },
      setup: (io) =>
        io.on("connection", (s) => {
          s.on("chunk", (n: number) => received.push(n));
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const socket = clients.open(peer.url, { transports: ["polling"] });
    for (let i = 0; i < 10; i++) socket.emit("chunk", i, "x".repeat(500));
    await connected(socket);
    await socket.timeout(5000).emitWithAck("sync");
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(socket.connected).toBe(true);
  });
}
