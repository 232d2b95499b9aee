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

/**
 * Installs the demo's connection handlers on `io` (rooms, chat, presence, the cluster panel).
 * With `controls` (the `npm start` demo only, never a deployed node), pages may kill or restart a
 * node: the demo's way to show a session surviving its node.
 */
export function installDemo(io, { controls = false } = {}) {
  const node = io.nodeId;

  // Asks every page to refresh its presence list and cluster panel (debounced on the page).
  const presenceChanged = () => io.emit("presence:changed");

  // The cluster panel: every node answers with its connected clients.
  io.on("demo:clients", (ack) => {
    if (typeof ack === "function") ack({ node, clients: io.of("/").sockets.size });
  });
  io.on("demo:control", (target, action) => {
    if (controls && target === node) act(io, action);
  });

  io.on("connection", (socket) => {
    if (!socket.recovered) {
      socket.data.name = String(socket.handshake.auth?.name ?? "guest").slice(0, 32) || "guest";
    }
    // The node it is on now (a recovered session may come from another one).
    socket.data.node = node;
    socket.emit("hello", { node, id: socket.id, recovered: socket.recovered, controls });
    presenceChanged();

    socket.on("cluster", (ack) => {
      if (typeof ack !== "function") return;
      io.serverSideEmitWithAck("demo:clients").then(
        (others) => {
          const nodes = [{ node, clients: io.of("/").sockets.size }, ...others];
          ack({ ok: true, nodes: nodes.sort((a, b) => a.node.localeCompare(b.node)) });
        },
        (error) => ack({ ok: false, error: String(error?.message ?? error) }),
      );
    });

    socket.on("control", (request, ack) => {
      if (typeof ack !== "function") return;
      const { node: target, action } = request ?? {};
      if (!controls || typeof target !== "string" || !ACTIONS.has(action)) {
        ack({ ok: false, error: "controls are off (npm start demo only)" });
        return;
      }
      ack({ ok: true });
      if (target === node) act(io, action);
      else io.serverSideEmit("demo:control", target, action);
    });

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

    // Relays to the room's other members on every node, as a recoverable event (no ack): a page
    // whose node dies gets the messages it missed when its session is recovered. The sender's ack
    // says how many other members the room has across the cluster.
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
      socket.to(room).emit("chat", out);
      io.in(room)
        .fetchSockets()
        .then(
          (members) => ack({ ok: true, node, delivered: members.length - 1, complete: true }),
          () => ack({ ok: true, node, delivered: 0, complete: false }),
        );
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

const ACTIONS = new Set(["kill", "restart"]);

/** Kills this node at once (no goodbye), or restarts it gracefully (the primary forks it again). */
function act(io, action) {
  console.log(`switchyard demo: node ${io.nodeId}: ${action} requested from a page`);
  if (action === "kill") {
    process.kill(process.pid, "SIGKILL");
    return;
  }
  void io.shutdown({ drainMs: 0, timeoutMs: 5_000 }).then(() => process.exit(0));
}

function roomsOf(socket) {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}
