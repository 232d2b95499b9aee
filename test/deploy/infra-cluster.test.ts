// The compose cluster's environment contract, executed without Docker: every node of
// infra/compose.yaml runs as a local process (the image's CMD, examples/demo/node.mjs) with its
// service's environment, and `deploy.replicas` balancers run the service's command with theirs;
// only addresses are rewritten (service DNS names → 127.0.0.1 and the test's redis, ports → free).
// With the official socket.io-client: a polling-only client whose requests alternate between the
// two balancers keeps one session; a room broadcast from one node reaches clients on the others;
// SIGTERM on a node exits 0 within SHUTDOWN_TIMEOUT_MS and its clients reconnect, through the
// balancers, to another node. Then the committed infra/haproxy.cfg (addresses localised, see
// support/haproxy.ts) fronts the balancers as in compose, finding them by DNS: the replicas
// listen on one port, each on its own loopback address, and a DNS stub resolves `balancer` to
// both. Then one balancer is killed.
import { existsSync } from "node:fs";
import {
  Agent,
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type LineProcess, spawnNode, waitForLine } from "../support/line-process.js";
import { canBind, getFreePort } from "../support/net-probe.js";
import { imageCommand, loadCompose, readRepoFile, serviceEnv } from "./support/compose.js";
import { type DnsStub, startDnsStub } from "./support/dns-stub.js";
import { type RunningHaproxy, startHaproxy } from "./support/haproxy.js";
import { REPO_ROOT } from "./support/tools.js";

const redisUrl = inject("redisUrl");
const compose = loadCompose("infra/compose.yaml");
const nodeNames = Object.keys(compose.services).filter((name) => /^node-\d+$/.test(name));
const balancerService = compose.services["balancer"] ?? {};
const ROOM = "infra";

type Proc = LineProcess;

interface RunningNode {
  id: string;
  url: string;
  proc: Proc;
  shutdownTimeoutMs: number;
}

const procs: Proc[] = [];
const clients: Socket[] = [];
const nodes: RunningNode[] = [];
const balancerUrls: string[] = [];
const balancerProcs: Proc[] = [];
let haproxy: RunningHaproxy | undefined;
let dns: DnsStub | undefined;
/** Each balancer replica's own address, as Docker gives each its own; they share one port. */
const balancerHosts: string[] = [];
let balancerPort = 0;
let front: HttpServer | undefined;
let frontUrl = "";
const sidRequestsPer = new Map<string, number>();

/** Runs a compose `command` (["node", script, ...args]) from the repository root. */
function start(command: string[], env: Record<string, string>): Proc {
  expect(command[0]).toBe("node");
  const proc = spawnNode(command.slice(1), {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stderr: "inherit",
  });
  procs.push(proc);
  return proc;
}

/** Service DNS names → local addresses in URL values (`scheme://service:port`). */
function rewriteHosts(value: string, hosts: ReadonlyMap<string, string>): string {
  return value.replace(/\/\/([\w.-]+):(\d+)/g, (whole, host: string) => {
    const local = hosts.get(host);
    return local === undefined ? whole : `//${local}`;
  });
}

/** One front port whose requests alternate between the balancers (per request, not per TCP). */
async function startAlternatingFront(targets: string[]): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  let next = 0;
  front = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(targets[next++ % targets.length] ?? "");
    if ((req.url ?? "").includes("sid=")) {
      sidRequestsPer.set(target.port, (sidRequestsPer.get(target.port) ?? 0) + 1);
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  const server = front;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  frontUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connect(url: string, name: string, options: Parameters<typeof io>[1] = {}): Socket {
  const socket = io(url, { forceNew: true, auth: { name }, ...options });
  clients.push(socket);
  return socket;
}

/** The next "hello" (sent on every new session), or a rejection after 10 s. */
function nextHello(socket: Socket): Promise<{ node: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no hello within 10 s")), 10_000);
    socket.once("hello", (hello: { node: string }) => {
      clearTimeout(timer);
      resolve(hello);
    });
  });
}

/** A port free on every one of `hosts` (bounded tries). */
async function portFreeOn(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await getFreePort(hosts[0]);
    const free = await Promise.all(hosts.slice(1).map((host) => canBind(port, host)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(", ")}`);
}

/** Status of GET `url` on a new TCP connection (haproxy balances connections, not requests). */
function statusOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** The node behind `socket`, once an ack round trip succeeds (retried while it reconnects). */
function nodeOf(socket: Socket): Promise<string> {
  return vi.waitFor(
    async () => ((await socket.timeout(2_000).emitWithAck("whoami")) as { node: string }).node,
    { timeout: 20_000, interval: 100 },
  );
}

/** Connects through a balancer until the client lands on a node outside `avoid` (bounded). */
async function connectAvoiding(
  name: string,
  avoid: string[],
): Promise<{ socket: Socket; node: string }> {
  for (let attempt = 0; attempt < 16; attempt++) {
    const socket = connect(balancerUrls[attempt % balancerUrls.length] ?? "", name);
    const { node } = await nextHello(socket);
    if (!avoid.includes(node)) return { socket, node };
    socket.close();
  }
  throw new Error(`${name} kept landing on ${avoid.join(", ")}`);
}

beforeAll(async () => {
  if (redisUrl === undefined) return;
  const script = join(REPO_ROOT, String(balancerService.command?.[1]));
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const redis = new URL(redisUrl);
  const hosts = new Map<string, string>([["redis", redis.host]]);
  const nodeCommand = imageCommand(readRepoFile("infra/Dockerfile"));
  await Promise.all(
    nodeNames.map(async (name) => {
      const env = serviceEnv(compose.services[name] ?? {});
      expect(env["REDIS_URL"], name).toMatch(/^redis:\/\/redis:\d+$/);
      const proc = start(nodeCommand, {
        ...env,
        REDIS_URL: rewriteHosts(env["REDIS_URL"] ?? "", hosts),
        PORT: "0",
        HOST: "127.0.0.1",
      });
      const [, id = "", url = ""] = await waitForLine(
        proc,
        /^switchyard node (\S+) listening on (http:\/\/127\.0\.0\.1:\d+) \(redis adapter\)$/,
      );
      nodes.push({ id, url, proc, shutdownTimeoutMs: Number(env["SHUTDOWN_TIMEOUT_MS"]) });
      hosts.set(name, new URL(url).host);
    }),
  );
  for (const node of nodes) {
    for (let i = 0; i < 100 && (await fetch(`${node.url}/readyz`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const env = serviceEnv(balancerService);
  const replicas = Number(balancerService.deploy?.replicas ?? 1);
  for (let i = 0; i < replicas; i++) balancerHosts.push(`127.0.0.${2 + i}`);
  balancerPort = await portFreeOn(balancerHosts);
  await Promise.all(
    balancerHosts.map(async (host) => {
      const proc = start(balancerService.command as string[], {
        ...env,
        SWITCHYARD_UPSTREAMS: rewriteHosts(env["SWITCHYARD_UPSTREAMS"] ?? "", hosts),
        SWITCHYARD_BALANCER_PORT: String(balancerPort),
        SWITCHYARD_BALANCER_HOST: host,
      });
      await waitForLine(proc, new RegExp(`^\\{"event":"listening","port":${balancerPort}\\}$`));
      balancerProcs.push(proc);
    }),
  );
  for (const host of balancerHosts) balancerUrls.push(`http://${host}:${balancerPort}`);
  await startAlternatingFront(balancerUrls);
}, 30_000);

afterAll(async () => {
  for (const socket of clients) socket.close();
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  await haproxy?.stop();
  await dns?.close();
  for (const proc of procs) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  }
});

describe.skipIf(redisUrl === undefined)("infra/compose.yaml, run as local processes", () => {
  it("started every node under its SWITCHYARD_NODE_ID and 2 balancer replicas", () => {
    expect(nodes.map((node) => node.id).sort()).toEqual(nodeNames);
    expect(balancerUrls).toHaveLength(2);
  });

  it("routes, broadcasts across nodes, and moves clients off a node on SIGTERM", async () => {
    // A polling-only client whose requests alternate between the balancers keeps its session.
    const poller = connect(frontUrl, "poller", { transports: ["polling"], reconnection: false });
    const disconnects: string[] = [];
    poller.on("disconnect", (reason) => disconnects.push(reason));
    const { node: pollerNode } = await nextHello(poller);
    const engineId = poller.io.engine.id;
    expect(await poller.timeout(5000).emitWithAck("join", ROOM)).toMatchObject({ ok: true });
    for (let i = 0; i < 6; i++) {
      const who = (await poller.timeout(5000).emitWithAck("whoami")) as { node: string };
      expect(who.node).toBe(pollerNode);
    }
    expect(poller.io.engine.id).toBe(engineId);
    const perBalancer = balancerUrls.map((url) => sidRequestsPer.get(new URL(url).port) ?? 0);
    for (const count of perBalancer) expect(count).toBeGreaterThanOrEqual(3);

    // Clients on the two other nodes, through the balancers (polling, then WebSocket upgrade).
    const second = await connectAvoiding("second", [pollerNode]);
    const third = await connectAvoiding("third", [pollerNode, second.node]);
    for (const { socket } of [second, third]) {
      expect(await socket.timeout(5000).emitWithAck("join", ROOM)).toMatchObject({ ok: true });
    }
    const received = [second, third].map(
      ({ socket }) =>
        new Promise<{ fromNode: string }>((resolve) => {
          // Chat is a recoverable event: no client ack (the sender's ack counts the room).
          socket.once("chat", (message: { fromNode: string }) => resolve(message));
        }),
    );
    const chat = await poller
      .timeout(5000)
      .emitWithAck("chat", { room: ROOM, text: "to all nodes" });
    expect(chat).toMatchObject({ ok: true, node: pollerNode, delivered: 2, complete: true });
    for (const message of await Promise.all(received)) expect(message.fromNode).toBe(pollerNode);

    // SIGTERM the second client's node: exit 0 within the bound; the client comes back elsewhere.
    const victim = nodes.find((node) => node.id === second.node);
    if (victim === undefined) throw new Error(`no node ${second.node}`);
    const back = nextHello(second.socket);
    const stoppedAt = Date.now();
    victim.proc.child.kill("SIGTERM");
    expect(await victim.proc.exited).toBe(0);
    const elapsed = Date.now() - stoppedAt;
    expect(elapsed).toBeLessThan(victim.shutdownTimeoutMs);
    expect(victim.proc.lines.at(-1)).toMatch(/stopped \(SIGTERM, clean in \d+ ms\)$/);
    const { node: newNode } = await back;
    expect(newNode).not.toBe(victim.id);
    expect(nodes.map((node) => node.id)).toContain(newNode);

    // The poller (on a surviving node) never lost its session.
    expect(poller.connected).toBe(true);
    expect(poller.io.engine.id).toBe(engineId);
    expect(disconnects).toEqual([]);
  }, 30_000);

  it("serves the cluster through infra/haproxy.cfg, and keeps serving when a balancer crashes", async () => {
    dns = await startDnsStub({ balancer: balancerHosts });
    haproxy = await startHaproxy(dns.port, balancerPort);
    const { frontUrl: haproxyUrl, proc } = haproxy;
    // haproxy found the replicas by resolving `balancer` (its slots start empty: init-addr none).
    await vi.waitFor(() => expect(dns?.queries).toContain("A balancer"), { timeout: 5_000 });
    // Each new connection goes to the next balancer; every one reaches a healthy node.
    await vi.waitFor(
      async () => expect(await statusOnNewConnection(`${haproxyUrl}/healthz`)).toBe(200),
      { timeout: 10_000, interval: 100 },
    );
    for (let i = 0; i < 4; i++) {
      expect(await statusOnNewConnection(`${haproxyUrl}/healthz`)).toBe(200);
    }
    // Its httplog names the server of each request: both resolved replicas took some.
    await vi.waitFor(() => {
      for (const name of ["balancers/balancer1 ", "balancers/balancer2 "]) {
        expect(proc.lines.some((line) => line.includes(name))).toBe(true);
      }
    });
    const upgraded = connect(haproxyUrl, "haproxy-ws");
    const poller = connect(haproxyUrl, "haproxy-polling", { transports: ["polling"] });
    const hellos = await Promise.all([nextHello(upgraded), nextHello(poller)]);
    await vi.waitFor(() => expect(upgraded.io.engine.transport.name).toBe("websocket"), {
      timeout: 5_000,
    });
    for (let i = 0; i < 3; i++) {
      expect(await nodeOf(upgraded)).toBe(hellos[0].node);
      expect(await nodeOf(poller)).toBe(hellos[1].node);
    }

    // A balancer dies without draining: new connections still succeed (haproxy retries and
    // redispatches, then its health check takes the replica out), and clients whose
    // connections ran through it reconnect through the other one.
    const [victim] = balancerProcs;
    victim?.child.kill("SIGKILL");
    await victim?.exited;
    for (let i = 0; i < 6; i++) {
      expect(await statusOnNewConnection(`${haproxyUrl}/healthz`)).toBe(200);
    }
    // Round-robin sent some of them to the dead replica (the health check needs 2 × 2 s to
    // notice): haproxy's httplog shows them redispatched ("+1" retries, after the termination
    // state "----") to the live one.
    await vi.waitFor(() =>
      expect(proc.lines.some((line) => / ---- [\d/]+\/\+\d /.test(line))).toBe(true),
    );
    const alive = nodes.filter((node) => node.proc.child.exitCode === null).map((node) => node.id);
    expect(alive).toContain(await nodeOf(upgraded));
    expect(alive).toContain(await nodeOf(poller));
    expect(haproxy.proc.child.exitCode).toBeNull();
  }, 60_000);
});
