// The `npm start` demo (examples/demo/index.mjs, run from the built packages): a sticky primary
// with 3 workers sharing rooms through the IPC adapter. It serves its page and the client bundle;
// two clients (one polling-only) on different workers join a room, chat with delivery acks and
// see each other in the cluster-wide presence; SIGTERM stops every process with exit code 0.
import { io, type Socket, type TransportName } from "@switchyard/client";
import { afterAll, describe, expect, inject, it } from "vitest";
import { alive, type Demo, killDemo, startDemo, stopDemo } from "./demo-process.js";

const redisUrl = inject("redisUrl");
const natsUrl = inject("natsUrl");
const started: Demo[] = [];
const clients: Socket[] = [];

interface Presence {
  ok: boolean;
  online: { id: string; name: string; node: string; rooms: string[] }[];
}

afterAll(() => {
  for (const client of clients) client.close();
  for (const demo of started) killDemo(demo);
});

async function start(env: Record<string, string> = {}): Promise<Demo> {
  const demo = await startDemo(env);
  started.push(demo);
  return demo;
}

/** Connects until the client lands on a node not in `avoid` (bounded); returns it and its node. */
async function connectElsewhere(
  url: string,
  name: string,
  avoid: string | undefined,
  transports?: TransportName[],
): Promise<{ socket: Socket; node: string }> {
  for (let attempt = 0; attempt < 12; attempt++) {
    const socket = io(url, {
      auth: { name },
      forceNew: true,
      reconnection: false,
      ...(transports ? { transports } : {}),
    });
    clients.push(socket);
    const hello = await new Promise<{ node: string }>((resolve, reject) => {
      socket.once("hello", resolve);
      socket.once("connect_error", reject);
    });
    if (hello.node !== avoid) return { socket, node: hello.node };
    socket.close();
  }
  throw new Error(`${name} kept landing on ${avoid}`);
}

async function stopAndCheck(demo: Demo): Promise<void> {
  expect(await stopDemo(demo)).toBe(0);
  expect(demo.workerPids.size).toBeGreaterThanOrEqual(2);
  for (const pid of demo.workerPids) expect(alive(pid), `worker ${pid} survived`).toBe(false);
  expect(demo.lines.some((line) => /node \S+ stopped/.test(line))).toBe(true);
}

/** The chat flow across two workers, then presence; shared by the IPC, Redis and NATS runs. */
async function chatAcrossWorkers(demo: Demo, room: string): Promise<void> {
  const alice = await connectElsewhere(demo.url, "alice", undefined, ["polling"]);
  const bob = await connectElsewhere(demo.url, "bob", alice.node);
  expect(bob.node).not.toBe(alice.node);

  expect(await alice.socket.timeout(5000).emitWithAck("join", room)).toMatchObject({
    ok: true,
    rooms: [room],
  });
  expect(await bob.socket.timeout(5000).emitWithAck("join", room)).toMatchObject({ ok: true });

  // Chat is a recoverable event (no client ack): with recovery on, its last argument is the offset.
  const received = new Promise<unknown>((resolve) => {
    bob.socket.once("chat", (message: unknown, offset: unknown) => {
      expect(typeof offset).toBe("string");
      resolve(message);
    });
  });
  const ack = await alice.socket
    .timeout(5000)
    .emitWithAck("chat", { room, text: "hello bob, from another worker" });
  expect(ack).toMatchObject({ ok: true, node: alice.node, delivered: 1, complete: true });
  expect(await received).toMatchObject({
    room,
    from: "alice",
    fromNode: alice.node,
    text: "hello bob, from another worker",
  });

  // Presence is cluster-wide: asked on either node, it lists both with their own nodes and rooms.
  for (const asker of [alice, bob]) {
    const presence = (await asker.socket.timeout(5000).emitWithAck("presence")) as Presence;
    expect(presence.ok).toBe(true);
    const byName = Object.fromEntries(presence.online.map((who) => [who.name, who]));
    expect(byName["alice"]).toMatchObject({ node: alice.node, rooms: [room] });
    expect(byName["bob"]).toMatchObject({ node: bob.node, rooms: [room] });
  }

  // A chat to a room one has not joined is refused.
  expect(
    await bob.socket.timeout(5000).emitWithAck("chat", { room: "elsewhere", text: "x" }),
  ).toMatchObject({ ok: false });
  alice.socket.close();
  bob.socket.close();
}

describe("the npm start demo (sticky primary + IPC adapter)", () => {
  it("serves its page and bundle, chats and shows presence across workers, stops on SIGTERM", async () => {
    const demo = await start();
    expect(demo.lines.join("\n")).toMatch(/3 workers, ipc adapter/);
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/socket.io/socket.io.min.js">');
    const bundle = await fetch(`${demo.url}/socket.io/socket.io.min.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${demo.url}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${demo.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("switchyard_sockets_connected");

    await chatAcrossWorkers(demo, "lobby");
    await stopAndCheck(demo);
  });
});

describe("the demo with a bus adapter instead of IPC", () => {
  it.skipIf(redisUrl === undefined)("REDIS_URL: rooms and presence across workers", async () => {
    const demo = await start({ REDIS_URL: redisUrl ?? "", WORKERS: "2" });
    expect(demo.lines.join("\n")).toMatch(/2 workers, redis adapter/);
    await chatAcrossWorkers(demo, `redis-${process.pid}`);
    await stopAndCheck(demo);
  });

  it.skipIf(natsUrl === undefined)("NATS_URL: rooms and presence across workers", async () => {
    const demo = await start({ NATS_URL: natsUrl ?? "", WORKERS: "2" });
    expect(demo.lines.join("\n")).toMatch(/2 workers, nats adapter/);
    await chatAcrossWorkers(demo, `nats-${process.pid}`);
    await stopAndCheck(demo);
  });
});
