// The body of a switchyard node run as its own OS process (fixtures/*-node.ts), whatever the bus.
// Clients drive it through events (join, broadcast, count, fetch); the parent gets the port over
// IPC. SIGTERM (or the parent going away) closes the server, then releases the bus.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AdapterConstructor, Server } from "@switchyard/server";

/** The cluster timings every node process uses (fast heartbeats for the tests). */
export const NODE_TIMINGS = {
  heartbeatInterval: 250,
  heartbeatTimeout: 2500,
  requestsTimeout: 3000,
} as const;

/** Serves a node with `adapter`; `release` closes the bus after the server has closed. */
export async function serveClusterNode(
  adapter: AdapterConstructor,
  release: () => unknown,
): Promise<void> {
  const http = createServer();
  const io = new Server(http, { adapter });

  io.on("connection", (socket) => {
    socket.on("join", async (room: string, ack: () => void) => {
      await socket.join(room);
      await (io.of("/").adapter as unknown as { whenSubscribed(): Promise<void> }).whenSubscribed();
      ack();
    });
    socket.on("broadcast", (room: string, ev: string, payload: unknown) => {
      io.to(room).emit(ev, payload);
    });
    socket.on("count", async (ack: (n: number) => void) =>
      ack(await io.of("/").adapter.serverCount()),
    );
    socket.on("fetch", async (room: string, ack: (ids: string[]) => void) => {
      const sockets = await io.in(room).fetchSockets();
      ack(sockets.map((s) => s.id).sort());
    });
  });

  async function shutdown(): Promise<void> {
    await io.close();
    await release();
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown());
  process.on("disconnect", () => void shutdown());

  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  process.send?.({ port: (http.address() as AddressInfo).port });
}
