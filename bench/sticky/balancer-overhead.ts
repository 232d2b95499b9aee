// Balancer overhead: the same HTTP load (keep-alive GETs, then Engine.IO polling handshakes)
// sent straight to a node and through the balancer, alternating rounds in one run. The node and
// the balancer (its CLI) run as separate processes; this process only generates load.
// Run: npx tsx --conditions=source bench/sticky/balancer-overhead.ts
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..", "..");
const tsx = ["--import", "tsx", "--conditions=source"];

function start(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...tsx, ...args], {
    cwd: root,
    env: { ...process.env, SWITCHYARD_NODE_ID: "bench-node" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args[0]} exited ${String(code)}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
  });
}

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 4);
const ROUND_MS = Number(process.env["BENCH_ROUND_MS"] ?? 2_000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 16);

interface Result {
  requests: number;
  latencies: number[];
}

function get(agent: Agent, port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end();
  });
}

async function load(port: number, path: string): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const result: Result = { requests: 0, latencies: [] };
  const deadline = performance.now() + ROUND_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        await get(agent, port, path);
        result.latencies.push(performance.now() - start);
        result.requests++;
      }
    }),
  );
  agent.destroy();
  return result;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

async function main(): Promise<void> {
  const node = await start([join(root, "bench/sticky/bench-node.ts")]);
  const nodePort = node.port;
  const balancer = await start([
    join(root, "packages/sticky/src/bin/switchyard-balancer.ts"),
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--upstream",
    `bench-node=http://127.0.0.1:${nodePort}`,
  ]);
  const balancerPort = balancer.port;

  for (const [name, path] of [
    ["GET /echo", "/echo"],
    ["polling handshake", "/socket.io/?EIO=4&transport=polling"],
  ] as const) {
    const totals = { direct: [] as Result[], balancer: [] as Result[] };
    for (let round = 0; round < ROUNDS; round++) {
      totals.direct.push(await load(nodePort, path));
      totals.balancer.push(await load(balancerPort, path));
    }
    const summary = (results: Result[]) => {
      const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const requests = results.reduce((sum, r) => sum + r.requests, 0);
      return {
        rps: Math.round(requests / ((ROUNDS * ROUND_MS) / 1_000)),
        p50: percentile(latencies, 0.5).toFixed(2),
        p99: percentile(latencies, 0.99).toFixed(2),
      };
    };
    const direct = summary(totals.direct);
    const through = summary(totals.balancer);
    console.log(
      `${name.padEnd(18)} c=${CONCURRENCY} direct ${direct.rps} req/s p50 ${direct.p50} ms p99 ${direct.p99} ms | ` +
        `balancer ${through.rps} req/s p50 ${through.p50} ms p99 ${through.p99} ms | ` +
        `throughput ratio ${(through.rps / direct.rps).toFixed(2)}`,
    );
  }
  for (const child of [balancer.child, node.child]) {
    child.removeAllListeners("exit");
    child.kill("SIGTERM");
  }
}

await main();
