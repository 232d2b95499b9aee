// Contract: ack timeouts, emitWithAck, the `retries` queue and acks pending at disconnect.
import { expect, vi } from "vitest";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type PeerSocket, waitFor } from "./helpers.js";

export function ackSuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  it("calls a timeout() ack with 'operation has timed out' when the server never acks", async () => {
    const peer = await startPeer();
    const socket = clients.open(peer.url);
    await connected(socket);
    const [err] = await new Promise<unknown[]>((resolve) => {
      socket.timeout(100).emit("ignored", (...args: unknown[]) => resolve(args));
    });
    expect((err as Error).message).toBe("operation has timed out");
  });

  it("resolves emitWithAck with the server's answer and rejects it after ackTimeout", async () => {
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("double", (n: number, ack: (m: number) => void) => ack(n * 2)),
        ),
    });
    // Generous enough that a loaded machine still answers "double" in time.
    const socket = clients.open(peer.url, { ackTimeout: 500 });
    await connected(socket);
    await expect(socket.emitWithAck("double", 21)).resolves.toBe(42);
    await expect(socket.emitWithAck("ignored")).rejects.toThrow("operation has timed out");
  });

  it("gives a timeout() ack (null, ...args) when the server answers in time", async () => {
    const peer = await startPeer({
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
    const peer = await startPeer({
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
    // The third delivery of "a" must be acked within ackTimeout, or a fourth would follow.
    const socket = clients.open(peer.url, { retries: 3, ackTimeout: 300 });
    await connected(socket);
    const results = await Promise.all([
      socket.emitWithAck("job", "a"),
      socket.emitWithAck("job", "b"),
    ]);
    expect(results).toEqual(["done:a", "done:b"]);
    expect(attempts).toEqual({ a: 3, b: 1 });
    expect(order).toEqual(["a", "a", "a", "b"]);
  });

  it("sends an event emitted with retries from the connect handler once", async () => {
    const deliveries: string[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("job", (name: string, ack: (r: string) => void) => {
            deliveries.push(name);
            ack(`done:${name}`);
          }),
        ),
    });
    const socket = clients.open(peer.url, { retries: 2, ackTimeout: 5000 });
    const acked = new Promise<unknown>((resolve) => {
      socket.once("connect", () => {
        socket.emit("job", "from-connect", (err: unknown, reply: unknown) => resolve([err, reply]));
      });
    });
    expect(await acked).toEqual([null, "done:from-connect"]);
    // Queued behind the first one and answered after it: anything sent before has arrived.
    await expect(socket.emitWithAck("job", "barrier")).resolves.toBe("done:barrier");
    expect(deliveries).toEqual(["from-connect", "barrier"]);
  });

  it("fails a retried event with a timeout error after retries + 1 attempts", async () => {
    let attempts = 0;
    const peer = await startPeer({
      setup: (io) => io.on("connection", (s) => s.on("never", () => attempts++)),
    });
    const socket = clients.open(peer.url, { retries: 2, ackTimeout: 80 });
    await connected(socket);
    await expect(socket.emitWithAck("never")).rejects.toThrow("operation has timed out");
    // The last attempt left when its timer started; it may still be on its way to the server.
    await vi.waitFor(() => expect(attempts).toBe(3), { timeout: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toBe(3);
  });

  it("fails acks pending at disconnect with 'socket has been disconnected'", async () => {
    let serverSocket: PeerSocket | undefined;
    const peer = await startPeer({ setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
    const socket = clients.open(peer.url, { reconnection: false });
    await connected(socket);
    const pending = socket.timeout(5000).emitWithAck("ignored");
    const disconnected = waitFor(socket, "disconnect");
    serverSocket?.conn.close();
    await disconnected;
    await expect(pending).rejects.toThrow("socket has been disconnected");
  });

  it("rejects an emitWithAck without timeout pending at disconnect, as socket.io-client 4.8", async () => {
    let serverSocket: PeerSocket | undefined;
    const peer = await startPeer({ setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
    const socket = clients.open(peer.url, { reconnection: false });
    await connected(socket);
    const pending = socket.emitWithAck("ignored");
    const plain = vi.fn();
    socket.emit("ignored", plain);
    const disconnected = waitFor(socket, "disconnect");
    serverSocket?.disconnect();
    await disconnected;
    await expect(pending).rejects.toThrow("socket has been disconnected");
    // A callback that does not take an error first is dropped, never called.
    expect(plain).not.toHaveBeenCalled();
  });

  it("acks a server event only once even if the client calls the ack twice", async () => {
    let serverSocket: PeerSocket | undefined;
    const peer = await startPeer({ setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
    const socket = clients.open(peer.url);
    socket.on("twice", (ack: (n: number) => void) => {
      ack(1);
      ack(2);
    });
    await connected(socket);
    const answer = await (serverSocket as PeerSocket).timeout(2000).emitWithAck("twice");
    expect(answer).toBe(1);
  });

  it("times out an ack of an emit buffered while disconnected and never sends it", async () => {
    const received: string[] = [];
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) => {
          s.onAny((event: string) => received.push(event));
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const socket = clients.open(peer.url, { autoConnect: false });
    const [err] = await new Promise<unknown[]>((resolve) => {
      socket.timeout(50).emit("stale", (...args: unknown[]) => resolve(args));
    });
    expect((err as Error).message).toBe("operation has timed out");
    expect(socket.sendBuffer).toHaveLength(0);
    socket.connect();
    await connected(socket);
    await socket.timeout(3000).emitWithAck("sync");
    expect(received).toEqual(["sync"]);
  });

  it("sends a retried event again after a reconnection and resolves with the new answer", async () => {
    let deliveries = 0;
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("job", (ack: (r: string) => void) => {
            deliveries++;
            // The first delivery drops the connection instead of answering.
            if (deliveries === 1) s.conn.close();
            else ack("done");
          }),
        ),
    });
    // ackTimeout far above the reconnection delay: the resend comes from the reconnection.
    const socket = clients.open(peer.url, { retries: 2, ackTimeout: 5000 });
    await connected(socket);
    const started = Date.now();
    await expect(socket.emitWithAck("job")).resolves.toBe("done");
    expect(deliveries).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
}
