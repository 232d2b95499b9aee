// The committed sid-routing configurations of nginx and HAProxy, run by the real servers (Debian's
// nginx and haproxy, installed by .ci/run) in front of the 3 nodes of infra/compose.yaml, run as
// local processes (examples/demo/node.mjs with each service's environment, a longer drain,
// in-memory adapter); only addresses are rewritten in the router configurations
// (support/sid-routers.ts). With official socket.io-client clients,
// polling-only and upgrading: every request reaches the node of its sid (no "Session ID unknown"
// on any node, no 400 from the router), new sessions spread over the nodes, a node in graceful
// shutdown keeps its clients during the drain while new sessions avoid it (HAProxy's /readyz
// check), and a killed node's clients reconnect to the others.
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LineProcess, spawnNode, waitForLine } from "../support/line-process.js";
import { loadCompose, serviceEnv } from "./support/compose.js";
import { type RouterKind, type RunningRouter, startRouter } from "./support/sid-routers.js";
import { REPO_ROOT } from "./support/tools.js";

const compose = loadCompose("infra/compose.yaml");
const NODE_NAMES = Object.keys(compose.services).filter((name) => /^node-\d+$/.test(name));
const POLLING_CLIENTS = 6;
const UPGRADING_CLIENTS = 6;
const DRAIN_MS = 9_000;

interface RunningNode {
  id: string;
  url: string;
  proc: LineProcess;
}

interface Client {
  socket: Socket;
  node: string;
  engineId: string;
  disconnects: string[];
}

/** The next "hello" (sent on every new session), or a rejection after 15 s. */
function nextHello(socket: Socket): Promise<{ node: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no hello within 15 s")), 15_000);
    socket.once("hello", (hello: { node: string }) => {
      clearTimeout(timer);
      resolve(hello);
    });
  });
}

async function whoami(socket: Socket): Promise<string> {
  return ((await socket.timeout(5_000).emitWithAck("whoami")) as { node: string }).node;
}

/** A node's `switchyard_polling_unknown_sid_total` (requests it answered "Session ID unknown"). */
async function unknownSids(node: RunningNode): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const match = /^switchyard_polling_unknown_sid_total (\d+)$/m.exec(text);
  if (match === null) throw new Error(`no unknown-sid counter in ${node.id}'s /metrics`);
  return Number(match[1]);
}

describe.each<RouterKind>(["nginx", "haproxy"])("the committed %s sid-routing config", (kind) => {
  const nodes: RunningNode[] = [];
  const sockets: Socket[] = [];
  let router: RunningRouter | undefined;
  let clients: Client[] = [];

  const url = (): string => router?.url ?? "";
  const alive = (): RunningNode[] =>
    nodes.filter(
      (node) => node.proc.child.exitCode === null && node.proc.child.signalCode === null,
    );

  async function connect(transports?: ["polling"]): Promise<Client> {
    const socket = io(url(), { forceNew: true, ...(transports ? { transports } : {}) });
    sockets.push(socket);
    const disconnects: string[] = [];
    socket.on("disconnect", (reason) => disconnects.push(reason));
    const { node } = await nextHello(socket);
    return { socket, node, engineId: socket.io.engine.id ?? "", disconnects };
  }

  /**
   * No node answered "Session ID unknown", and the router answered no 400, except handshakes
   * refused (code 3) by a node in shutdown, which nginx keeps sending new sessions to (passive
   * checks only) until it stops listening.
   */
  async function expectNoUnknownSid(draining?: RunningNode): Promise<void> {
    const counts = await Promise.all(alive().map(unknownSids));
    expect(counts).toEqual(alive().map(() => 0));
    const excused = kind === "nginx" && draining ? new URL(draining.url).host : undefined;
    const refused = router?.answers().filter((a) => a.status === 400 && a.node !== excused);
    expect(refused).toEqual([]);
  }

  beforeAll(async () => {
    const script = join(REPO_ROOT, "examples/demo/node.mjs");
    await Promise.all(
      NODE_NAMES.map(async (name) => {
        const { REDIS_URL: _bus, ...env } = serviceEnv(compose.services[name] ?? {});
        const proc = spawnNode(["--import", "tsx", "--conditions=source", script], {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env["PATH"] ?? "",
            ...env,
            PORT: "0",
            HOST: "127.0.0.1",
            // A longer drain than compose's 5 s: HAProxy needs up to 2 checks x 2 s to mark the
            // node DOWN, and the test then still checks the node's own clients on it.
            SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
            SHUTDOWN_TIMEOUT_MS: String(DRAIN_MS + 6_000),
          },
        });
        const [, id = "", nodeUrl = ""] = await waitForLine(
          proc,
          /^switchyard node (\S+) listening on (http:\/\/127\.0\.0\.1:\d+) \(memory adapter\)$/,
          20_000,
        );
        nodes.push({ id, url: nodeUrl, proc });
      }),
    );
    const local = new Map(nodes.map((node) => [node.id, new URL(node.url).host]));
    router = await startRouter(kind, local);
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await router?.stop();
    for (const node of nodes)
      if (node.proc.child.exitCode === null) node.proc.child.kill("SIGKILL");
    await Promise.all(nodes.map((node) => node.proc.exited));
  });

  it("keeps polling and upgrading clients on their nodes and spreads new sessions", async () => {
    expect(nodes.map((node) => node.id).sort()).toEqual(NODE_NAMES);
    const polling = await Promise.all(
      Array.from({ length: POLLING_CLIENTS }, () => connect(["polling"])),
    );
    const upgrading = await Promise.all(Array.from({ length: UPGRADING_CLIENTS }, () => connect()));
    clients = [...polling, ...upgrading];
    await vi.waitFor(
      () => {
        for (const client of upgrading) {
          expect(client.socket.io.engine.transport.name).toBe("websocket");
        }
      },
      { timeout: 10_000 },
    );
    for (let round = 0; round < 4; round++) {
      const seen = await Promise.all(clients.map((client) => whoami(client.socket)));
      expect(seen).toEqual(clients.map((client) => client.node));
    }
    for (const client of clients) {
      expect(client.socket.io.engine.id).toBe(client.engineId);
      expect(client.disconnects).toEqual([]);
    }
    // New sessions went to every node (least connections), polling-only ones too.
    expect(new Set(clients.map((client) => client.node))).toEqual(new Set(NODE_NAMES));
    expect(new Set(polling.map((client) => client.node)).size).toBeGreaterThan(1);
    await expectNoUnknownSid();
  }, 40_000);

  it("lets a node in shutdown drain: its clients stay until it closes them, then move", async () => {
    const victim = nodes[0];
    if (victim === undefined) throw new Error("no node");
    const own = clients.filter((client) => client.node === victim.id);
    expect(own.length).toBeGreaterThan(0);
    const back = own.map((client) => nextHello(client.socket));
    victim.proc.child.kill("SIGTERM");
    await vi.waitFor(async () => expect((await fetch(`${victim.url}/readyz`)).status).toBe(503), {
      timeout: 5_000,
      interval: 50,
    });
    // During the drain (SHUTDOWN_DRAIN_MS) its clients are still served by it.
    for (const client of own) expect(await whoami(client.socket)).toBe(victim.id);
    if (kind === "haproxy") {
      // The active /readyz check takes it out of the new-session backend...
      await vi.waitFor(
        () => {
          const down = router?.proc.lines.some((line) =>
            line.includes(`switchyard_new_sessions/${victim.id} is DOWN`),
          );
          expect(down).toBe(true);
        },
        { timeout: 8_000, interval: 100 },
      );
      // ...so new sessions avoid it while its own requests still reach it.
      const fresh = await Promise.all([connect(["polling"]), connect(), connect(["polling"])]);
      expect(fresh.map((client) => client.node)).not.toContain(victim.id);
      for (const client of own) expect(await whoami(client.socket)).toBe(victim.id);
      clients.push(...fresh);
    }
    const moved = await Promise.all(back);
    expect(await victim.proc.exited).toBe(0);
    for (const client of clients.filter((c) => c.node !== victim.id)) {
      expect(client.socket.io.engine.id).toBe(client.engineId);
    }
    own.forEach((client, i) => {
      client.node = moved[i]?.node ?? "";
      client.engineId = client.socket.io.engine.id ?? "";
    });
    for (const client of own) {
      expect(client.node).not.toBe(victim.id);
      expect(await whoami(client.socket)).toBe(client.node);
    }
    await expectNoUnknownSid(victim);
  }, 40_000);

  it("sends a killed node's clients to the live nodes, and new sessions too", async () => {
    const [survivor, victim] = alive();
    if (victim === undefined || survivor === undefined) throw new Error("two live nodes needed");
    const own = clients.filter((c) => c.node === victim.id);
    const others = clients.filter((c) => c.node === survivor.id);
    expect(own.length).toBeGreaterThan(0);
    const back = own.map((client) => nextHello(client.socket));
    victim.proc.child.kill("SIGKILL");
    await victim.proc.exited;
    for (const { node } of await Promise.all(back)) expect(node).toBe(survivor.id);
    const fresh = await Promise.all([connect(["polling"]), connect(), connect()]);
    expect(fresh.map((client) => client.node)).toEqual([survivor.id, survivor.id, survivor.id]);
    for (const client of others) {
      expect(await whoami(client.socket)).toBe(survivor.id);
      expect(client.socket.io.engine.id).toBe(client.engineId);
    }
    await expectNoUnknownSid(nodes[0]);
  }, 40_000);
});
