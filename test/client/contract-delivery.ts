// Contract: delivery through the server's fan-out paths: one broadcast reaching clients on
// different transports, order kept both ways on each transport and across an upgrade, large
// (compressed) and non-ASCII payloads, broadcast acks, room-wide and connection-wide server
// disconnects, namespace refusals (multiplexed, without data) and dynamic namespaces.
import { expect } from "vitest";
import { deepArgs, normalise } from "./contract-connect.js";
import { contractSession } from "./contract-session.js";
import { type Contract, connected, type PeerSocket, waitFor } from "./helpers.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function deliverySuite(contract: Contract): void {
  const { it, clients, startPeer } = contractSession(contract);

  it("delivers one binary broadcast alike to polling, websocket and upgrading clients", async () => {
    let joined = 0;
    const peer = await startPeer({ setup: (io) => io.on("connection", () => joined++) });
    const sockets = [
      clients.open(peer.url, { transports: ["polling"] }),
      clients.open(peer.url, { transports: ["websocket"] }),
      clients.open(peer.url),
    ];
    await Promise.all(sockets.map((s) => connected(s)));
    expect(joined).toBe(3);
    const received = sockets.map((s) => waitFor<unknown[]>(s, "bin"));
    peer.io.emit("bin", ...deepArgs());
    for (const args of await Promise.all(received)) {
      expect(normalise(args)).toEqual(normalise(deepArgs()));
    }
  });

  const MODES = {
    polling: ["polling"],
    websocket: ["websocket"],
    "an upgrade": ["polling", "websocket"],
  } as const;

  for (const [mode, transports] of Object.entries(MODES)) {
    it(`keeps order and delivers exactly once both ways over ${mode}`, async () => {
      const count = 300;
      const fromClient: number[] = [];
      const peer = await startPeer({
        setup: (io) =>
          io.on("connection", (s) => {
            s.on("c", (n: number) => fromClient.push(n));
            s.on("report", (ack: (r: number[]) => void) => ack(fromClient));
            s.on("start", async () => {
              for (let i = 0; i < count; i++) {
                s.emit("s", i);
                if (i % 10 === 9) await sleep(1);
              }
              s.emit("s-done");
            });
          }),
      });
      // Both streams run for tens of milliseconds right after connecting, which is when the
      // upgrade mode switches from polling to WebSocket.
      const socket = clients.open(peer.url, { transports: [...transports] });
      const fromServer: number[] = [];
      socket.on("s", (n: number) => fromServer.push(n));
      const serverDone = waitFor(socket, "s-done", 15_000);
      await connected(socket);
      socket.emit("start");
      for (let i = 0; i < count; i++) {
        socket.emit("c", i);
        if (i % 10 === 9) await sleep(1);
      }
      await serverDone;
      const reported = await socket.timeout(10_000).emitWithAck("report");
      const expected = Array.from({ length: count }, (_, i) => i);
      expect(fromServer).toEqual(expected);
      expect(reported).toEqual(expected);
    });
  }

  for (const transport of ["polling", "websocket"] as const) {
    it(`round-trips large text, large binary and non-ASCII text over ${transport}`, async () => {
      const peer = await startPeer({
        setup: (io) =>
          io.on("connection", (s) =>
            s.on("echo", (data: unknown, ack: (d: unknown) => void) => ack(data)),
          ),
      });
      const socket = clients.open(peer.url, { transports: [transport] });
      await connected(socket);
      // 200 kB: above the 1 kB compression threshold of polling responses.
      const big = "0123456789abcdef".repeat(12_500);
      await expect(socket.timeout(10_000).emitWithAck("echo", big)).resolves.toBe(big);
      // 300 kB of bytes: 400 kB as base64 in polling, still under maxHttpBufferSize.
      const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256);
      const echoed = await socket.timeout(10_000).emitWithAck("echo", bytes);
      expect(normalise(echoed)).toEqual(normalise(bytes));
      // Multi-byte characters, a separator-like control character and a line separator.
      const text = "h\u00e9llo \u{1f30d} \u4e16\u754c \u001e end \u2028";
      const keyed = { text, [text]: [text] };
      await expect(socket.timeout(5000).emitWithAck("echo", keyed)).resolves.toEqual(keyed);
    });
  }

  it("answers a broadcast emit with ack once per client", async () => {
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s) =>
          s.on("poll", (ack: (r: unknown[]) => void) => {
            io.timeout(3000).emit("vote", (err: Error | null, answers: unknown[]) =>
              ack([err, [...answers].sort()]),
            );
          }),
        ),
    });
    const a = clients.open(peer.url, { transports: ["polling"] });
    const b = clients.open(peer.url, { transports: ["websocket"] });
    a.on("vote", (ack: (v: string) => void) => ack("a"));
    b.on("vote", (ack: (v: string) => void) => ack("b"));
    await Promise.all([connected(a), connected(b)]);
    await expect(a.timeout(5000).emitWithAck("poll")).resolves.toEqual([null, ["a", "b"]]);
  });

  it("ends every member of a room with io server disconnect on disconnectSockets()", async () => {
    const peer = await startPeer({
      setup: (io) =>
        io.on("connection", (s: PeerSocket) => {
          if (s.handshake.auth["room"] === true) s.join("r");
          s.on("clear", () => io.in("r").disconnectSockets());
          s.on("sync", (ack: () => void) => ack());
        }),
    });
    const members = [
      clients.open(peer.url, { auth: { room: true }, transports: ["polling"] }),
      clients.open(peer.url, { auth: { room: true }, transports: ["websocket"] }),
    ];
    const outsider = clients.open(peer.url, { auth: { room: false } });
    await Promise.all([...members, outsider].map((s) => connected(s)));
    const reasons = members.map((s) => waitFor<[string]>(s, "disconnect"));
    outsider.emit("clear");
    for (const [reason] of await Promise.all(reasons)) expect(reason).toBe("io server disconnect");
    for (const s of members) expect(s.active).toBe(false);
    await outsider.timeout(3000).emitWithAck("sync");
    expect(outsider.connected).toBe(true);
  });

  it("keeps the main namespace connected when a multiplexed namespace refuses the client", async () => {
    const peer = await startPeer({
      setup: (io) => {
        io.of("/admin").use((_s, next) => next(new Error("admins only")));
        io.on("connection", (s) => s.on("sync", (ack: () => void) => ack()));
      },
    });
    const main = clients.lookup(peer.url);
    await connected(main);
    const admin = clients.lookup(`${peer.url}/admin`);
    expect(admin.io).toBe(main.io);
    const [err] = await waitFor<[Error]>(admin, "connect_error");
    expect(err.message).toBe("admins only");
    await main.timeout(3000).emitWithAck("sync");
    expect(main.connected).toBe(true);
  });

  it("ends every multiplexed namespace with io server disconnect on a server disconnect(true)", async () => {
    const peer = await startPeer({
      setup: (io) => {
        io.of("/admin").on("connection", () => undefined);
        io.on("connection", (s) => s.on("close-all", () => s.disconnect(true)));
      },
    });
    const main = clients.lookup(peer.url);
    const admin = clients.lookup(`${peer.url}/admin`);
    await Promise.all([connected(main), connected(admin)]);
    const reasons = [main, admin].map((s) => waitFor<[string]>(s, "disconnect"));
    main.emit("close-all");
    const [mainReason, adminReason] = (await Promise.all(reasons)).map(([reason]) => reason);
    expect(mainReason).toBe("io server disconnect");
    // The server sends each namespace its DISCONNECT before closing the connection.
    expect(adminReason).toBe("io server disconnect");
    expect(admin.active).toBe(false);
    expect(main.active).toBe(false);
  });

  it("gives a refusal without data a connect_error whose data is undefined", async () => {
    const peer = await startPeer({ setup: (io) => io.use((_s, next) => next(new Error("nope"))) });
    const socket = clients.open(peer.url, { reconnection: false });
    const [err] = await waitFor<[Error & { data?: unknown }]>(socket, "connect_error");
    expect(err.message).toBe("nope");
    expect(err.data).toBeUndefined();
  });

  it("connects to a dynamic namespace a parent matches and refuses a name it does not", async () => {
    const peer = await startPeer({
      setup: (io) =>
        io
          .of(/^\/dyn-\d+$/)
          .on("connection", (s) => s.on("where", (ack: (n: string) => void) => ack(s.nsp.name))),
    });
    const dyn = clients.open(`${peer.url}/dyn-42`);
    await connected(dyn);
    await expect(dyn.timeout(3000).emitWithAck("where")).resolves.toBe("/dyn-42");
    const other = clients.open(`${peer.url}/dyn-x`, { reconnection: false });
    const [err] = await waitFor<[Error]>(other, "connect_error");
    expect(err.message).toBe("Invalid namespace");
  });
}
