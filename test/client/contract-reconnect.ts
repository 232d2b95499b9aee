// Contract: reconnection after the server stops and restarts on the same port, Manager events,
// buffered emits delivered once, and the auth function re-evaluated on every (re)connect.
import { expect, vi } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type Peer, type PeerOptions, waitFor } from "./helpers.js";

export function reconnectSuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  /** Closes `peer` and starts a new one with `options` on its port. */
  async function restart(peer: Peer, options: PeerOptions): Promise<void> {
    await peer.close();
    await startPeer({ ...options, port: peer.port });
  }

  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]] as const) {
    it(`reconnects over ${transports.join("+")} after a server restart on the same port and delivers buffered emits once`, async () => {
      const received: number[] = [];
      const options: PeerOptions = {
        setup: (io) =>
          io.on("connection", (s) => {
            s.on("n", (n: number) => received.push(n));
            s.on("sync", (ack: () => void) => ack());
          }),
      };
      const peer = await startPeer(options);
      const socket = clients.open(peer.url, { transports: [...transports] });
      await connected(socket);
      const manager = socket.io;
      const disconnected = waitFor<[string]>(socket, "disconnect");
      const port = peer.port;
      await peer.close();
      const [reason] = await disconnected;
      expect(["transport close", "transport error"]).toContain(reason);
      expect(socket.active).toBe(true);
      socket.emit("n", 1);
      socket.emit("n", 2);
      await waitFor(manager, "reconnect_attempt");
      await startPeer({ ...options, port });
      const [attempt] = await waitFor<[number]>(manager, "reconnect", 10_000);
      expect(attempt).toBeGreaterThanOrEqual(1);
      await connected(socket);
      socket.emit("n", 3);
      await socket.timeout(5000).emitWithAck("sync");
      expect(received).toEqual([1, 2, 3]);
    });
  }

  it("re-evaluates the auth function on every reconnect", async () => {
    const tokens: unknown[] = [];
    const options: PeerOptions = {
      setup: (io) => io.on("connection", (s) => tokens.push(s.handshake.auth["token"])),
    };
    const peer = await startPeer(options);
    let calls = 0;
    const socket = clients.open(peer.url, {
      auth: (cb) => {
        calls++;
        cb({ token: `t${calls}` });
      },
    });
    await connected(socket);
    const disconnected = waitFor(socket, "disconnect");
    await restart(peer, options);
    await disconnected;
    await waitFor(socket, "connect", 10_000);
    expect(tokens).toEqual(["t1", "t2"]);
  });

  it("emits reconnect_attempt, reconnect_error and reconnect_failed when the server stays down", async () => {
    const peer = await startPeer();
    const socket = clients.open(peer.url, { reconnectionAttempts: 2, reconnectionDelay: 20 });
    await connected(socket);
    const manager = socket.io;
    const events: string[] = [];
    manager.on("reconnect_attempt", (n) => events.push(`attempt:${n}`));
    manager.on("reconnect_error", () => events.push("error"));
    const failed = waitFor(manager, "reconnect_failed", 10_000);
    await peer.close();
    await failed;
    expect(events).toEqual(["attempt:1", "error", "attempt:2", "error"]);
    expect(socket.connected).toBe(false);
  });

  it("does not reconnect when reconnection is false and reports the close reason", async () => {
    const peer = await startPeer();
    const socket = clients.open(peer.url, { reconnection: false });
    await connected(socket);
    const attempts: unknown[] = [];
    socket.io.on("reconnect_attempt", (n) => attempts.push(n));
    const closed = waitFor<[string]>(socket.io, "close");
    await peer.close();
    const [reason] = await closed;
    expect(["transport close", "transport error"]).toContain(reason);
    // Clients opens with reconnectionDelay 50 and no jitter: an attempt would come well before.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toEqual([]);
    expect(socket.connected).toBe(false);
  });

  it("reports connect_error for an unreachable server with a transport error", async () => {
    const peer = await startPeer();
    const url = peer.url;
    await peer.close();
    const socket = clients.open(url, { reconnection: false, transports: ["polling"] });
    const [err] = await waitFor<[Error & { type?: string }]>(socket, "connect_error");
    expect(err.message).toBe("xhr poll error");
    expect(err.type).toBe("TransportError");
  });

  it("answers server pings and stays connected across several ping intervals", async () => {
    // Pings every 50 ms; the long pingTimeout keeps a stalled (loaded) test process connected.
    const peer = await startPeer({ serverOptions: { pingInterval: 50, pingTimeout: 2000 } });
    const socket = clients.open(peer.url, { transports: ["websocket"] });
    await connected(socket);
    let pings = 0;
    const enough = new Promise<void>((resolve) => {
      socket.io.on("ping", () => {
        pings++;
        if (pings === 3) resolve();
      });
    });
    await enough;
    expect(socket.connected).toBe(true);
  });

  it("closes with ping timeout when the wall-clock deadline passed, then delivers the emit after reconnecting", async () => {
    const received: string[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) => {
          s.on("late", (v: string) => received.push(v));
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const socket = clients.open(peer.url, { transports: ["websocket"] });
    await connected(socket);
    const reason = waitFor<[string]>(socket, "disconnect");
    const realNow = Date.now();
    // A sleeping tab: the timers did not fire, but the clock moved past pingInterval + pingTimeout.
    const clock = vi.spyOn(Date, "now").mockReturnValue(realNow + 25_000 + 20_000 + 1000);
    socket.emit("late", "after-sleep");
    clock.mockRestore();
    expect((await reason)[0]).toBe("ping timeout");
    expect(socket.sendBuffer).toHaveLength(1);
    await waitFor(socket, "connect", 10_000);
    await socket.timeout(5000).emitWithAck("sync");
    expect(received).toEqual(["after-sleep"]);
  });
}
