// Cross-node delivery, NATS vs Redis in one run: 2 nodes (one process), one official client on
// node B, node A broadcasts. Per round and bus: one-way latency (p50/p99 of 1000 sequential
// broadcasts) and throughput (10 000 broadcasts in flight). Rounds alternate the buses.
// Run: npx tsx --conditions=source bench/adapters/nats-vs-redis.ts
// Uses REDIS_URL / NATS_URL when set, else private redis-server / nats-server on loopback.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "@nats-io/transport-node";
import { createAdapter as natsAdapter } from "@switchyard/adapter-nats";
import { createAdapter as redisAdapter } from "@switchyard/adapter-redis";
import { type AdapterConstructor, Server } from "@switchyard/server";
import { Redis } from "ioredis";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { resolveService } from "../../test/support/services.js";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const LATENCY_N = 1000;
const THROUGHPUT_N = 10_000;

type Result = { p50: number; p99: number; perSecond: number };

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

async function measure(adapters: [AdapterConstructor, AdapterConstructor]): Promise<Result> {
  const a = await node(adapters[0]);
  const b = await node(adapters[1]);
  while ((await a.io.of("/").adapter.serverCount()) < 2)
    await new Promise((r) => setTimeout(r, 10));
  const client = ioc(b.url, { transports: ["websocket"], forceNew: true });
  await next(client, "connect");
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const got = next(client, "m");
    const t0 = process.hrtime.bigint();
    a.io.emit("m", i);
    await got;
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((x, y) => x - y);
  let count = 0;
  const done = new Promise<void>((resolve) => {
    client.on("t", () => {
      if (++count === THROUGHPUT_N) resolve();
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < THROUGHPUT_N; i++) a.io.emit("t", i);
  await done;
  const perSecond = THROUGHPUT_N / ((performance.now() - t0) / 1000);
  client.disconnect();
  await Promise.all([a.io.close(), b.io.close()]);
  const q = (p: number): number => lat[Math.floor(p * (lat.length - 1))] ?? Number.NaN;
  return { p50: q(0.5), p99: q(0.99), perSecond };
}

async function redisRound(url: string): Promise<Result> {
  const clients = [0, 1, 2, 3].map(() => new Redis(url));
  const [p1, s1, p2, s2] = clients as [Redis, Redis, Redis, Redis];
  const key = `bench-${process.pid}-${Date.now()}`;
  try {
    return await measure([redisAdapter(p1, s1, { key }), redisAdapter(p2, s2, { key })]);
  } finally {
    for (const c of clients) c.disconnect();
  }
}

async function natsRound(url: string): Promise<Result> {
  const prefix = `bench-${process.pid}-${Date.now()}`;
  const ncA = await connect({ servers: url, noEcho: true });
  const ncB = await connect({ servers: url, noEcho: true });
  // drainOnClose (default): io.close() drains both connections.
  return measure([natsAdapter(ncA, { prefix }), natsAdapter(ncB, { prefix })]);
}

const [redis, nats] = await Promise.all([resolveService("redis"), resolveService("nats")]);
if (redis === undefined || nats === undefined) throw new Error("redis and nats are required");
const results: Record<"redis" | "nats", Result[]> = { redis: [], nats: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    results.redis.push(await redisRound(redis.url));
    results.nats.push(await natsRound(nats.url));
  }
} finally {
  await Promise.allSettled([redis.close(), nats.close()]);
}
const median = (xs: number[]): number =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, rs] of Object.entries(results)) {
  const p50 = median(rs.map((r) => r.p50)).toFixed(3);
  const p99 = median(rs.map((r) => r.p99)).toFixed(3);
  const rate = median(rs.map((r) => r.perSecond)).toFixed(0);
  console.log(
    `${name}: latency p50 ${p50} ms, p99 ${p99} ms; throughput ${rate} msg/s (median of ${rs.length} rounds)`,
  );
}
const ratio =
  median(results.nats.map((r) => r.perSecond)) / median(results.redis.map((r) => r.perSecond));
console.log(`nats/redis throughput ratio: ${ratio.toFixed(2)}`);
