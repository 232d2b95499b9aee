// Contract: connection-state recovery (pid + offset): id, rooms and missed events come back.
import { expect } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type PeerSocket, waitFor } from "./helpers.js";

export function recoverySuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  const csr = { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } };

  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]] as const) {
    it(`restores the id, rooms and missed events after the connection drops (${transports.join("+")})`, async () => {
      const serverSockets: PeerSocket[] = [];
      const peer = await startPeer({
        serverOptions: csr,
        setup: (io) =>
          io.on("connection", (s) => {
            serverSockets.push(s);
            if (!s.recovered) s.join("room-1");
            s.on("rooms", (ack: (r: string[]) => void) => ack([...s.rooms]));
          }),
      });
      // Reconnected by hand below: the missed events must be emitted after the server saw the drop
      // and before the client comes back, which automatic reconnection could race.
      const socket = clients.open(peer.url, { reconnection: false, transports: [...transports] });
      const events: string[] = [];
      socket.on("news", (text: string) => events.push(text));
      await connected(socket);
      expect(socket.recovered).toBe(false);
      const firstId = socket.id;
      peer.io.to("room-1").emit("news", "before");
      await waitFor(socket, "news");

      const disconnected = waitFor(socket, "disconnect");
      const serverGone = waitFor(serverSockets[0] as PeerSocket, "disconnect");
      socket.io.engine?.close();
      await Promise.all([disconnected, serverGone]);
      peer.io.to("room-1").emit("news", "missed-1");
      peer.io.to("room-1").emit("news", "missed-2");

      const order: string[] = [];
      socket.on("news", () => order.push("news"));
      socket.once("connect", () => order.push("connect"));
      const reconnected = waitFor(socket, "connect", 10_000);
      socket.connect();
      await reconnected;
      expect(socket.recovered).toBe(true);
      expect(socket.id).toBe(firstId);
      expect(events).toEqual(["before", "missed-1", "missed-2"]);
      expect(order).toEqual(["news", "news", "connect"]);
      const rooms = await socket.timeout(2000).emitWithAck("rooms");
      expect(rooms).toContain("room-1");
    });
  }

  it("is not recovered when no event was received before the drop", async () => {
    const peer = await startPeer({ serverOptions: csr });
    const socket = clients.open(peer.url);
    await connected(socket);
    const firstId = socket.id;
    const disconnected = waitFor(socket, "disconnect");
    socket.io.engine?.close();
    await disconnected;
    await waitFor(socket, "connect", 10_000);
    expect(socket.recovered).toBe(false);
    expect(socket.id).not.toBe(firstId);
  });

  it("sends pid and offset in the reconnect CONNECT next to the auth payload", async () => {
    const auths: unknown[] = [];
    const peer = await startPeer({
      serverOptions: csr,
      setup: (io) =>
        io.on("connection", (s) => {
          auths.push({ ...s.handshake.auth });
          s.emit("tick", "x");
        }),
    });
    const socket = clients.open(peer.url, { auth: { user: "u" } });
    await waitFor(socket, "tick");
    const disconnected = waitFor(socket, "disconnect");
    socket.io.engine?.close();
    await disconnected;
    await waitFor(socket, "connect", 10_000);
    expect(auths[0]).toEqual({ user: "u" });
    const second = auths[1] as Record<string, unknown>;
    expect(second["user"]).toBe("u");
    expect(typeof second["pid"]).toBe("string");
    expect(typeof second["offset"]).toBe("string");
  });
}
