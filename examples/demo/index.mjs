// The `npm start` demo: a sticky node:cluster primary on http://localhost:3000 (PORT) with 3
// workers (WORKERS), each a @switchyard/server node. Rooms, chat and presence span every worker
// through the IPC adapter of @switchyard/sticky; with REDIS_URL or NATS_URL set, through the Redis
// or NATS adapter instead (ioredis / @nats-io/transport-node are imported only then).
//
// The primary prints `switchyard demo: open http://localhost:<port> …` once listening (the actual
// port, also with PORT=0) and one line per node start/stop. SIGINT/SIGTERM stop everything, exit 0.
//
// The Socket.IO app of each worker (page, handlers, adapter choice) lives in app.mjs, shared with
// node.mjs (one standalone node per process, what the container image runs).
import cluster from "node:cluster";
import { Server } from "@switchyard/server";
import { createAdapter as createIpcAdapter, setupPrimary, setupWorker } from "@switchyard/sticky";
import { adapterKindOf, createPageServer, installDemo, makeAdapter } from "./app.mjs";

const PREFIX = "switchyard demo:";
const busUrls = { redisUrl: process.env.REDIS_URL, natsUrl: process.env.NATS_URL };
const adapterKind = adapterKindOf(busUrls, "ipc");

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
  const httpServer = await createPageServer();
  const { adapter, closeAdapter } = await makeAdapter(busUrls, createIpcAdapter);
  // serveClient (the default) serves the client bundle at /socket.io/socket.io.min.js.
  // health/metrics: every worker answers /healthz, /readyz and /metrics (Prometheus).
  const io = new Server(httpServer, {
    adapter,
    connectionStateRecovery: {},
    health: true,
    metrics: true,
  });
  // The page's kill/restart buttons: this local demo only (node.mjs, for containers, has none).
  installDemo(io, { controls: true });

  await setupWorker(io);
  process.send?.({ demo: "up", nodeId: io.nodeId });

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
