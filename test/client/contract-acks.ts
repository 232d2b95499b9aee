// Contract: ack timeouts, emitWithAck, the `retries` queue and acks pending at disconnect.
import type { Socket as ServerSocket } from "socket.io";
import { afterEach, expect, it } from "vitest";
import { Clients, connected, type Peer, type StartPeer, waitFor } from "./helpers.js";

export function ackSuite(startPeer: StartPeer): void {
  const clients = new Clients();
  let peer: Peer | undefined;
  afterEach(async () => {
    clients.closeAll();
    await peer?.close();
    peer = undefined;
  });

  it("calls a timeout() ack with 'operation has timed out' when the server never acks", async () => {
    peer = await startPeer();
    const socket = clients.open(peer.url);
    await connected(socket);
    const [err] = await new Promise<unknown[]>((resolve) => {
      socket.timeout(100).emit("ignored", (...args: unknown[]) => resolve(args));
    });
    expect((err as Error).message).toBe("operation has timed out");
  });

  it("resolves emitWithAck with the server's answer and rejects it after ackTimeout", async () => {
    peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("double", (n: number, ack: (m: number) => void) => ack(n * 2)),
        ),
    });
    const socket = clients.open(peer.url, { ackTimeout: 150 });
    await connected(socket);
    await expect(socket.emitWithAck("double", 21)).resolves.toBe(42);
    await expect(socket.emitWithAck("ignored")).rejects.toThrow("operation has timed out");
  });

  it("gives a timeout() ack (null, ...args) when the server answers in time", async () => {
    peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("pair", (ack: (a: number, b: string) => void) => ack(1, "b")),
        ),
    });
    const socket = clients.open(peer.url);
    await connected(socket);
    const args = await new Promise<unknown[]>((resolve) => {
      socket.timeout(2000).emit("pair", (...a: unknown[]) => resolve(a));
    });
    expect(args).toEqual([null, 1, "b"]);
  });

  it("retries an unacked event until the server acks it, keeping emits in order", async () => {
    const attempts: Record<string, number> = {};
    const order: string[] = [];
    peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("job", (name: string, ack: (r: string) => void) => {
            attempts[name] = (attempts[name] ?? 0) + 1;
            order.push(name);
            // Ignore the first two deliveries of "a" to force retries.
            if (name === "a" && (attempts[name] ?? 0) < 3) return;
            ack(`done:${name}`);
          }),
        ),
    });
    const socket = clients.open(peer.url, { retries: 3, ackTimeout: 100 });
    await connected(socket);
    const results = await Promise.all([
      socket.emitWithAck("job", "a"),
      socket.emitWithAck("job", "b"),
    ]);
    expect(results).toEqual(["done:a", "done:b"]);
    expect(attempts).toEqual({ a: 3, b: 1 });
    expect(order).toEqual(["a", "a", "a", "b"]);
  });

  it("fails a retried event with a timeout error after retries + 1 attempts", async () => {
    let attempts = 0;
    peer = await startPeer({
      setup: (io) => io.on("connection", (s) => s.on("never", () => attempts++)),
    });
    const socket = clients.open(peer.url, { retries: 2, ackTimeout: 80 });
    await connected(socket);
    await expect(socket.emitWithAck("never")).rejects.toThrow("operation has timed out");
    expect(attempts).toBe(3);
  });

  it("fails acks pending at disconnect with 'socket has been disconnected'", async () => {
    let serverSocket: ServerSocket | undefined;
    peer = await startPeer({ setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
    const socket = clients.open(peer.url, { reconnection: false });
    await connected(socket);
    const pending = socket.timeout(5000).emitWithAck("ignored");
    const disconnected = waitFor(socket, "disconnect");
    serverSocket?.conn.close();
    await disconnected;
    await expect(pending).rejects.toThrow("socket has been disconnected");
  });

  it("acks a server event only once even if the client calls the ack twice", async () => {
    let serverSocket: ServerSocket | undefined;
    peer = await startPeer({ setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
    const socket = clients.open(peer.url);
    socket.on("twice", (ack: (n: number) => void) => {
      ack(1);
      ack(2);
    });
    await connected(socket);
    const answer = await (serverSocket as ServerSocket).timeout(2000).emitWithAck("twice");
    expect(answer).toBe(1);
  });
}
