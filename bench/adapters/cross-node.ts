// First cross-node delivery measurement: 2 nodes (one process), one official client on node B,
// node A broadcasts; reports one-way latency (p50/p99) and throughput per bus.
// Run: npx tsx --conditions=source bench/adapters/cross-node.ts [redis-url]
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@switchyard/adapter-redis";
import { type AdapterConstructor, InProcessBus, Server } from "@switchyard/server";
import { Redis } from "ioredis";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";

/** Resolves on the next `event` of a client socket. */
function next(client: ClientSocket, event: string): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

async function node(adapter: AdapterConstructor) {
  const http = createServer();
  const io = new Server(http, { adapter });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function run(name: string, adapters: [AdapterConstructor, AdapterConstructor]) {
  const a = await node(adapters[0]);
  const b = await node(adapters[1]);
  while ((await a.io.of("/").adapter.serverCount()) < 2)
    await new Promise((r) => setTimeout(r, 10));
  const client = ioc(b.url, { transports: ["websocket"], forceNew: true });
  await next(client, "connect");
  // Latency: one message at a time.
  const lat: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const got = next(client, "m");
    const t0 = process.hrtime.bigint();
    a.io.emit("m", i);
    await got;
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((x, y) => x - y);
  // Throughput: N messages in flight.
  const n = 20_000;
  let count = 0;
  const done = new Promise<void>((resolve) => {
    client.on("t", () => {
      if (++count === n) resolve();
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) a.io.emit("t", i);
  await done;
  const secs = (performance.now() - t0) / 1000;
  const p = (q: number) => lat[Math.floor(q * (lat.length - 1))]?.toFixed(3);
  console.log(
    `${name}: latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; throughput ${(n / secs).toFixed(0)} msg/s`,
  );
  client.disconnect();
  await Promise.all([a.io.close(), b.io.close()]);
}

const bus = new InProcessBus();
await run("in-process", [bus.adapter(), bus.adapter()]);
const url = process.argv[2];
if (url !== undefined) {
  const clients = [new Redis(url), new Redis(url), new Redis(url), new Redis(url)] as const;
  const key = `bench-${process.pid}`;
  await run("redis", [
    createAdapter(clients[0], clients[1], { key }),
    createAdapter(clients[2], clients[3], { key }),
  ]);
  for (const c of clients) c.disconnect();
}

// Interest routing: 4 nodes, 40 rooms each held by one socket on one node; one broadcast per
// room. Counts how many node deliveries the bus made, with and without per-room channels.
async function fanout(roomChannels: boolean): Promise<number> {
  const b = new InProcessBus();
  const nodes = await Promise.all([0, 1, 2, 3].map(() => node(b.adapter({ roomChannels }))));
  while ((await nodes[0]?.io.of("/").adapter.serverCount()) !== 4)
    await new Promise((r) => setTimeout(r, 10));
  const clients: ClientSocket[] = [];
  for (let i = 0; i < 40; i++) {
    const target = nodes[i % 4];
    if (target === undefined) continue;
    const joined = once(target.io, "connection");
    const client = ioc(target.url, { transports: ["websocket"], forceNew: true });
    clients.push(client);
    const [socket] = (await joined) as [{ join(room: string): Promise<void> | void }];
    await socket.join(`room-${i}`);
  }
  const before = b.deliveries.room + b.deliveries.all;
  let received = 0;
  const all = new Promise<void>((resolve) => {
    for (const c of clients) c.on("r", () => ++received === 40 && resolve());
  });
  for (let i = 0; i < 40; i++) nodes[(i + 1) % 4]?.io.to(`room-${i}`).emit("r");
  await all;
  const deliveries = b.deliveries.room + b.deliveries.all - before;
  for (const c of clients) c.disconnect();
  await Promise.all(nodes.map((n) => n.io.close()));
  return deliveries;
}
console.log(
  `room broadcasts, 4 nodes, 40 rooms: bus deliveries with room channels ${await fanout(true)}, without ${await fanout(false)}`,
);
