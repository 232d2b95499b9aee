// Helpers of the operations tests: a Server on an ephemeral loopback port, plain HTTP GETs.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type ServerOptions } from "@switchyard/server";

export interface Node {
  io: Server;
  http: HttpServer;
  url: string;
}

/** A Server attached to a new HTTP server listening on 127.0.0.1 (random port). */
export async function startNode(options: ServerOptions): Promise<Node> {
  const http = createServer((_req, res) => {
    res.writeHead(404);
    res.end("app 404");
  });
  const io = new Server(http, options);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return { io, http, url: `http://127.0.0.1:${port}` };
}

/** GET with a bound; resolves with status, content type and body. */
export async function get(
  url: string,
): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

/** The value of a sample line `name value` (no labels) of a Prometheus exposition. */
export function sample(text: string, name: string): number {
  for (const line of text.split("\n")) {
    const [key, value] = line.split(" ");
    if (key === name && value !== undefined) return Number(value);
  }
  return Number.NaN;
}

/** Resolves when `check()` holds, polling every 10 ms; rejects after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
