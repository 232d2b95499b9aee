// The `npm start` demo, single-node edition: a Socket.IO chat served by @switchyard/server on
// http://localhost:3000 (PORT to change it), with the browser bundle of @switchyard/client.
// The clustered demo (sticky primary + workers sharing rooms) replaces it with the demo issue.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "@switchyard/server";

const port = Number(process.env.PORT ?? 3000);
const page = await readFile(new URL("./public/index.html", import.meta.url));

const httpServer = createServer((req, res) => {
  if (req.url === "/" || req.url === "/index.html") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page);
    return;
  }
  res.writeHead(404).end();
});

// serveClient (the default) serves the client bundle at /socket.io/socket.io.min.js.
const io = new Server(httpServer, { connectionStateRecovery: {} });

io.on("connection", (socket) => {
  const name = String(socket.handshake.auth.name ?? "guest").slice(0, 32);
  socket.data.name = name;
  socket.join("lobby");
  io.to("lobby").emit("presence", { name, online: io.of("/").sockets.size });
  socket.on("chat", (text, ack) => {
    const message = { from: name, text: String(text).slice(0, 500), at: Date.now() };
    socket.to("lobby").emit("chat", message);
    if (typeof ack === "function") ack({ ok: true, at: message.at });
  });
  socket.on("disconnect", () => {
    io.to("lobby").emit("presence", { name, online: io.of("/").sockets.size });
  });
});

httpServer.listen(port, () => {
  const { port: actual } = httpServer.address();
  console.log(`switchyard demo: open http://localhost:${actual} (node ${io.nodeId})`);
});

function shutdown() {
  console.log("switchyard demo: shutting down");
  void io.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
