// HTTP from the test side of the sticky router: one request over a given agent (status, body and
// the local port, to tell connections apart), or raw bytes on a fresh connection.
import { type Agent, request } from "node:http";
import { connect } from "node:net";
import { readSidTag } from "@switchyard/server";
import { expect } from "vitest";

export interface Exchange {
  status: number;
  body: string;
  localPort: number;
}

/** Sends one request over `agent`; rejects on a socket error or after 5 s. */
export function send(
  url: string,
  agent: Agent,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          localPort: req.socket?.localPort ?? 0,
        }),
      );
    });
    req.on("error", reject);
    req.setTimeout(5_000, () => req.destroy(new Error("timed out")));
    req.end(body);
  });
}

/**
 * Opens polling sessions over `agent` until it holds one per node tag (`tags` of them). Placement
 * is least-loaded and credits each new session to its target, so this takes at most the load
 * spread between targets plus `tags` tries. 40 leaves room for clients other tests left connected
 * (a bound of 12 once found only 2 of 3 tags with 200 such clients open). Sids by tag.
 */
export async function openSessionPerTag(
  url: string,
  agent: Agent,
  tags = 3,
): Promise<Map<string, string>> {
  const byTag = new Map<string, string>();
  for (let i = 0; i < 40 && byTag.size < tags; i++) {
    const open = await send(url, agent, "GET", "/socket.io/?EIO=4&transport=polling");
    expect(open.status).toBe(200);
    const { sid } = JSON.parse(open.body.slice(1)) as { sid: string };
    byTag.set(readSidTag(sid) ?? "", sid);
  }
  return byTag;
}

/** Writes raw bytes and collects everything until the server closes the connection. */
export function raw(
  port: number,
  chunks: readonly (string | Buffer)[],
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${Buffer.concat(received)}`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received).toString("latin1"));
    });
    socket.on("connect", () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** The status code of a raw HTTP/1.1 response. */
export const statusOf = (response: string): number => Number(response.slice(9, 12));
