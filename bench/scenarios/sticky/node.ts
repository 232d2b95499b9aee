// A Socket.IO node behind the balancer (a bench child): switchyard's Server with its `nodeId`
// (so every sid carries the node tag the balancer routes by) and an `echo` event acked back.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@switchyard/server";
import { ready, serve } from "../../lib/ipc.js";

const NODE_ID_VAR = "BENCH_NODE_ID";
const http = createServer();
// The clients echo in a closed loop as fast as each route allows: a direct WebSocket passes the
// default `eventRateLimit` (1,000 events/s per socket after a burst of 2,000) within seconds and
// would be disconnected for it. The routers are what is measured here, not that guard: off.
const io = new Server(http, {
  nodeId: process.env[NODE_ID_VAR] ?? "bench-node",
  eventRateLimit: false,
});
io.on("connection", (socket) => {
  socket.on("echo", (data: unknown, ack: unknown) => {
    if (typeof ack === "function") ack(data);
  });
});
http.listen(0, "127.0.0.1");
await once(http, "listening");
serve({});
ready({ port: (http.address() as AddressInfo).port });
