// The floor of the echo scenario, in its own process: `tsx floor-server.ts` answers the
// ws-clients generator with the least an Engine.IO WebSocket server must do (open packet,
// CONNECT reply, the ack of each echo event) on a plain `ws` server with no Engine.IO or
// Socket.IO library: what `ws`, the HTTP upgrade and the sockets alone cost per ack. It trusts
// its one client completely: bench only.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import type { ServerReady } from "../server-under-test/server.js";
import { EIO, SIO } from "../server-under-test/wire.js";

const OPEN =
  '0{"sid":"floor","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
const CONNECTED = '40{"sid":"floor"}';
const ECHO = /^42(\d+)\["echo",(.*)\]$/s;

const http = createServer();
const wss = new WebSocketServer({ server: http });
wss.on("connection", (ws) => {
  ws.send(OPEN);
  ws.on("message", (data: Buffer) => {
    if (data[0] !== EIO.MESSAGE) return;
    if (data[1] === SIO.CONNECT) {
      ws.send(CONNECTED);
      return;
    }
    const echo = ECHO.exec(data.toString());
    if (echo !== null) ws.send(`43${echo[1]}[${echo[2]}]`);
  });
});

serve({});
http.listen(0, "127.0.0.1", () => {
  const { port } = http.address() as AddressInfo;
  ready({ port, pid: process.pid } satisfies ServerReady);
});
