// The `npm start` demo: a sticky node:cluster primary on http://localhost:3000 (PORT) with 3
// workers (WORKERS), each a @switchyard/server node. Rooms, chat and presence span every worker
// through the IPC adapter of @switchyard/sticky; with REDIS_URL or NATS_URL set, through the Redis
// or NATS adapter instead (ioredis / @nats-io/transport-node are imported only then).
//
// The primary prints `switchyard demo: open http://localhost:<port> …` once listening (the actual
// port, also with PORT=0) and one line per node start/stop. SIGINT/SIGTERM stop everything, exit 0.
import cluster from "node:cluster";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "@switchyard/server";
import { createAdapter as createIpcAdapter, setupPrimary, setupWorker } from "@switchyard/sticky";

const PREFIX = "switchyard demo:";
const ROOM_NAME = /^[\w-]{1,24}$/;
const adapterKind = process.env.REDIS_URL ? "redis" : process.env.NATS_URL ? "nats" : "ipc";

if (cluster.isPrimary) await runPrimary();
else await runWorker();

async function runPrimary() {
  const port = Number(process.env.PORT ?? 3000);
  const workers = Number(process.env.WORKERS ?? 3);
  const nodes = new Map(); // pid → node id, learnt from each worker's "up" message
  let allUp;
  const everyNodeUp = new Promise((resolve) => {
    allUp = resolve;
  });
  cluster.on("message", (worker, message) => {
    if (message?.demo !== "up") return;
    nodes.set(worker.process.pid, message.nodeId);
    console.log(`${PREFIX} node ${message.nodeId} started (pid ${worker.process.pid})`);
    if (nodes.size >= workers) allUp();
  });
  cluster.on("exit", (worker, code, signal) => {
    const nodeId = nodes.get(worker.process.pid) ?? `pid ${worker.process.pid}`;
    nodes.delete(worker.process.pid);
    console.log(`${PREFIX} node ${nodeId} stopped (${signal ?? `exit code ${code}`})`);
  });
  const primary = await setupPrimary({
    port,
    workers,
    nodeIdPrefix: process.env.NODE_ID_PREFIX ?? "demo",
    drainTimeoutMs: 5_000,
  });
  // Print the address after the start lines (bounded: a worker may be slow or crash-looping).
  await Promise.race([everyNodeUp, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  const actual = primary.address?.port ?? port;
  console.log(
    `${PREFIX} open http://localhost:${actual} (${workers} workers, ${adapterKind} adapter, primary pid ${process.pid})`,
  );
  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${PREFIX} ${signal}: shutting down`);
    void primary.close().then(
      () => {
        console.log(`${PREFIX} stopped`);
        process.exit(0);
      },
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

async function runWorker() {
  // Ctrl-C reaches every process of the terminal's group: the primary stops the workers itself.
  process.on("SIGINT", () => undefined);
  const page = await readFile(new URL("./public/index.html", import.meta.url));
  const httpServer = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
      return;
    }
    res.writeHead(404).end();
  });
  const { adapter, closeAdapter } = await makeAdapter();
  // serveClient (the default) serves the client bundle at /socket.io/socket.io.min.js.
  // health/metrics: every worker answers /healthz, /readyz and /metrics (Prometheus).
  const io = new Server(httpServer, {
    adapter,
    connectionStateRecovery: {},
    health: true,
    metrics: true,
  });
  const node = io.nodeId;

  // Asks every page to refresh its presence list (debounced on the page).
  const presenceChanged = () => io.emit("presence:changed");

  io.on("connection", (socket) => {
    if (!socket.recovered) {
      socket.data.name = String(socket.handshake.auth?.name ?? "guest").slice(0, 32) || "guest";
      socket.data.node = node;
    }
    socket.emit("hello", { node, id: socket.id, recovered: socket.recovered });
    presenceChanged();

    socket.on("whoami", (ack) => {
      if (typeof ack === "function") ack({ node, id: socket.id, name: socket.data.name });
    });

    socket.on("join", (room, ack) => {
      if (typeof ack !== "function") return;
      if (typeof room !== "string" || !ROOM_NAME.test(room)) {
        ack({ ok: false, error: "room names are 1-24 letters, digits, _ or -" });
        return;
      }
      socket.join(room);
      socket.to(room).emit("notice", { room, text: `${socket.data.name} joined (on ${node})` });
      ack({ ok: true, rooms: roomsOf(socket) });
      presenceChanged();
    });

    socket.on("leave", (room, ack) => {
      if (typeof ack !== "function" || typeof room !== "string") return;
      if (socket.rooms.has(room) && room !== socket.id) {
        socket.leave(room);
        socket.to(room).emit("notice", { room, text: `${socket.data.name} left` });
      }
      ack({ ok: true, rooms: roomsOf(socket) });
      presenceChanged();
    });

    // Relays to the room's other members on every node; acks the sender once they have acked
    // (delivery acks), or after 3 s with the count that did.
    socket.on("chat", (message, ack) => {
      if (typeof ack !== "function") return;
      const room = message?.room;
      if (typeof room !== "string" || room === socket.id || !socket.rooms.has(room)) {
        ack({ ok: false, error: "join the room first" });
        return;
      }
      const out = {
        room,
        from: socket.data.name,
        fromId: socket.id,
        fromNode: node,
        text: String(message.text ?? "").slice(0, 500),
        at: Date.now(),
      };
      socket
        .to(room)
        .timeout(3_000)
        .emit("chat", out, (error, responses) => {
          const delivered = Array.isArray(responses) ? responses.length : 0;
          ack({ ok: true, node, delivered, complete: !error });
        });
    });

    socket.on("presence", (ack) => {
      if (typeof ack !== "function") return;
      io.fetchSockets().then(
        (sockets) =>
          ack({
            ok: true,
            node,
            online: sockets.map((s) => ({
              id: s.id,
              name: s.data.name,
              node: s.data.node,
              rooms: [...s.rooms].filter((room) => room !== s.id).sort(),
            })),
          }),
        (error) => ack({ ok: false, error: String(error?.message ?? error) }),
      );
    });

    socket.on("disconnect", presenceChanged);
  });

  await setupWorker(io);
  process.send?.({ demo: "up", nodeId: node });

  // `on`, not `once`: a second SIGTERM (the primary's, after one sent to the whole process
  // group, as `timeout` does) must not kill the worker mid-close.
  let stopping = false;
  process.on("SIGTERM", () => {
    if (stopping) return;
    stopping = true;
    void io
      .close()
      .then(closeAdapter)
      .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}

function roomsOf(socket) {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}

/** The cluster adapter: IPC by default, Redis with REDIS_URL, NATS with NATS_URL. */
async function makeAdapter() {
  if (process.env.REDIS_URL) {
    const [{ Redis }, { createAdapter }] = await Promise.all([
      import("ioredis"),
      import("@switchyard/adapter-redis"),
    ]);
    const pub = new Redis(process.env.REDIS_URL);
    const sub = pub.duplicate();
    return {
      adapter: createAdapter(pub, sub),
      closeAdapter: async () => {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      },
    };
  }
  if (process.env.NATS_URL) {
    const [{ connect }, { createAdapter }] = await Promise.all([
      import("@nats-io/transport-node"),
      import("@switchyard/adapter-nats"),
    ]);
    const nc = await connect({ servers: process.env.NATS_URL });
    return {
      adapter: createAdapter(nc),
      closeAdapter: async () => {
        if (!nc.isClosed()) await nc.close().catch(() => undefined);
      },
    };
  }
  return { adapter: createIpcAdapter(), closeAdapter: async () => undefined };
}
