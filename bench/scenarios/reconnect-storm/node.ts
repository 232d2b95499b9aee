// One node behind the balancer in the reconnect storm (a bench child): the cluster bench's server
// (`cluster-support/servers.ts`: switchyard + @switchyard/adapter-redis, or socket.io +
// @socket.io/redis-adapter, or with recovery on @socket.io/redis-streams-adapter) minting sids
// tagged with its node id, so the balancer routes by sid: switchyard through its `nodeId`
// (SWITCHYARD_NODE_ID, set by the runner), the official server through `createSidGenerator`, as
// @switchyard/sticky's README tells official users to. `GET /readyz` answers 200 for the
// balancer's health checks, on both stacks.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSidGenerator } from "@switchyard/server";
import { ready, serve } from "../../lib/ipc.js";
import { createIo } from "../cluster-support/servers.js";
import { type NodeConfig, type NodeReady, nowMicros } from "../cluster-support/wire.js";

const config = JSON.parse(process.env["BENCH_NODE"] ?? "{}") as NodeConfig;
const nodeId = process.env["SWITCHYARD_NODE_ID"];
if (nodeId === undefined || nodeId === "") throw new Error("SWITCHYARD_NODE_ID is required");

const http = createServer((req, res) => {
  if (req.url === "/readyz") res.writeHead(200).end("ok");
});
const io = await createIo(http, config);
/** The engine both servers expose; only its sid generator and client count are used. */
const engine = (io as unknown as { engine: { generateId: () => string; clientsCount: number } })
  .engine;
if (config.impl === "official") engine.generateId = createSidGenerator(nodeId);
/** Every socket joins one room, so that one broadcast reaches every client of the cluster. */
const ALL = "all";
io.on("connection", (socket) => {
  if (!socket.recovered) socket.join(ALL);
});
http.listen(0, "127.0.0.1");
await once(http, "listening");

serve({
  /** Engine.IO sessions open on this node. */
  clients: () => engine.clientsCount,
  /** Nodes in the cluster as this node's adapter counts them. */
  servers: () => io.of("/").adapter.serverCount(),
  /** One broadcast to every client of the cluster (with recovery on, it carries an offset). */
  broadcast: () => {
    io.to(ALL).emit("m", nowMicros(), 0);
  },
});
const info: NodeReady = { port: (http.address() as AddressInfo).port };
ready(info);
