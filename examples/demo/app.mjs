// The demo's Socket.IO app, shared by both entrypoints: index.mjs (the `npm start` sticky cluster,
// one app per node:cluster worker) and node.mjs (one standalone node per process, for containers).
// It owns the static page, the connection handlers (hello, whoami, join, leave, chat, presence)
// and the choice of cluster adapter; the entrypoints own listening, logging and shutdown.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";

const ROOM_NAME = /^[\w-]{1,24}$/;

/** The adapter a configuration selects: "redis", "nats", or `fallback` (neither URL set). */
export function adapterKindOf({ redisUrl, natsUrl }, fallback) {
  return redisUrl ? "redis" : natsUrl ? "nats" : fallback;
}

/** An HTTP server answering `/` and `/index.html` with the demo page, 404 otherwise. */
export async function createPageServer() {
  const page = await readFile(new URL("./public/index.html", import.meta.url));
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
      return;
    }
    res.writeHead(404).end();
  });
}

/**
 * The cluster adapter: Redis with `redisUrl`, NATS with `natsUrl`, else `createFallback()` (none
 * given: undefined, the server's in-memory default). ioredis and @nats-io/transport-node are
 * imported only when their URL is set. `closeAdapter` closes the bus connections (after
 * `io.close()`).
 */
export async function makeAdapter({ redisUrl, natsUrl }, createFallback = () => undefined) {
  if (redisUrl) {
    const [{ Redis }, { createAdapter }] = await Promise.all([
      import("ioredis"),
      import("@switchyard/adapter-redis"),
    ]);
    const pub = new Redis(redisUrl);
    const sub = pub.duplicate();
    return {
      adapter: createAdapter(pub, sub),
      closeAdapter: async () => {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      },
    };
  }
  if (natsUrl) {
    const [{ connect }, { createAdapter }] = await Promise.all([
      import("@nats-io/transport-node"),
      import("@switchyard/adapter-nats"),
    ]);
    const nc = await connect({ servers: natsUrl });
    return {
      adapter: createAdapter(nc),
      closeAdapter: async () => {
        if (!nc.isClosed()) await nc.close().catch(() => undefined);
      },
    };
  }
  return { adapter: createFallback(), closeAdapter: async () => undefined };
}

/** Installs the demo's connection handlers on `io` (rooms, chat with delivery acks, presence). */
export function installDemo(io) {
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
}

function roomsOf(socket) {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}
