// A bench upstream: the official socket.io server with tagged sids plus /echo and /readyz.
// Prints {"port":N} once listening.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSidGenerator } from "@switchyard/server";
import { Server } from "socket.io";

const http = createServer((req, res) => {
  if (req.url === "/readyz" || req.url === "/echo") res.end("ok");
});
const io = new Server(http);
io.engine.generateId = createSidGenerator(process.env["SWITCHYARD_NODE_ID"] ?? "bench-node");
http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (http.address() as AddressInfo).port })}\n`);
});
process.once("SIGTERM", () => process.exit(0));
