// examples/demo/node.mjs behind a proxy: the server's per-address limits (addressLimits, on by
// default) key on the TCP peer, so behind switchyard-balancer every client shares the balancer's
// address and one balancer replica is capped at ADDRESS_MAX_CONNECTIONS sessions. With
// TRUST_FORWARDED_FOR=1 the node reads the address the balancer appended to X-Forwarded-For;
// with 2, the entry a TLS proxy in front of the balancer appended. A small ADDRESS_MAX_CONNECTIONS
// stands for the default 10,000.
import type { ChildProcess } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { spawnNode, waitForLine } from "../support/line-process.js";

const root = join(import.meta.dirname, "..", "..");
const entry = join(root, "examples/demo/node.mjs");
const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";
const children: ChildProcess[] = [];
let balancer: Balancer | undefined;

afterEach(async () => {
  await balancer?.close();
  balancer = undefined;
});
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/** Starts node.mjs (in-memory adapter, at most 2 sessions per address); resolves with its URL. */
async function startNode(id: string, env: Record<string, string>): Promise<string> {
  const node = spawnNode([entry], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      SWITCHYARD_NODE_ID: id,
      ADDRESS_MAX_CONNECTIONS: "2",
      ...env,
    },
  });
  children.push(node.child);
  const [, url] = await waitForLine(node, /listening on (http:\/\/127\.0\.0\.1:\d+) /);
  return url ?? "";
}

/** Polling handshake statuses of `count` clients from `from(i)` (a local address) through `port`. */
async function handshakes(
  port: number,
  count: number,
  from: (i: number) => { localAddress?: string; forwardedFor?: string },
): Promise<number[]> {
  const statuses: number[] = [];
  // One after the other: each session stays open (no ping is missed within the test).
  for (let i = 0; i < count; i++) statuses.push(await handshake(port, from(i)));
  return statuses;
}

function handshake(
  port: number,
  { localAddress, forwardedFor }: { localAddress?: string; forwardedFor?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
    const req = request(
      { host: "127.0.0.1", port, path: HANDSHAKE, agent: false, headers, localAddress },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("no answer")));
    req.on("error", reject);
    req.end();
  });
}

async function behindBalancer(nodeId: string, nodeUrl: string): Promise<number> {
  balancer = createBalancer({
    port: 0,
    host: "127.0.0.1",
    upstreams: [{ id: nodeId, url: nodeUrl }],
    healthCheck: false,
  });
  return (await balancer.listen()).port;
}

const portOf = (url: string): number => Number(new URL(url).port);
const clientAt = (i: number) => ({ localAddress: `127.0.0.${i + 2}` });

describe("node.mjs behind switchyard-balancer: per-address limits", () => {
  it("without TRUST_FORWARDED_FOR every client has the balancer's address: the 3rd is refused", async () => {
    const port = await behindBalancer("xff-off", await startNode("xff-off", {}));
    expect(await handshakes(port, 3, clientAt)).toEqual([200, 200, 429]);
  });

  it("TRUST_FORWARDED_FOR=1 counts each client by the address the balancer appended", async () => {
    const url = await startNode("xff-one", { TRUST_FORWARDED_FOR: "1" });
    const port = await behindBalancer("xff-one", url);
    expect(await handshakes(port, 5, clientAt)).toEqual([200, 200, 200, 200, 200]);
    // One client is still held to the limit, and a forged entry before the balancer's is ignored.
    const forged = (i: number) => ({ localAddress: "127.0.0.10", forwardedFor: `203.0.113.${i}` });
    expect(await handshakes(port, 3, forged)).toEqual([200, 200, 429]);
  });

  it("TRUST_FORWARDED_FOR=2 reads the entry of the proxy in front of the balancer", async () => {
    const url = await startNode("xff-two", { TRUST_FORWARDED_FOR: "2" });
    const port = await behindBalancer("xff-two", url);
    // All through one front proxy (127.0.0.20) that appended each client's address.
    const viaProxy = (i: number) => ({
      localAddress: "127.0.0.20",
      forwardedFor: `198.51.100.${i}`,
    });
    expect(await handshakes(port, 4, viaProxy)).toEqual([200, 200, 200, 200]);
    const oneClient = () => ({ localAddress: "127.0.0.20", forwardedFor: "198.51.100.50" });
    expect(await handshakes(port, 3, oneClient)).toEqual([200, 200, 429]);
  });

  it("ADDRESS_LIMITS=off: no per-address limit at all", async () => {
    const url = await startNode("xff-none", { ADDRESS_LIMITS: "off" });
    expect(await handshakes(portOf(url), 4, () => ({}))).toEqual([200, 200, 200, 200]);
  });
});
