// The switchyard-balancer CLI, from source (tsx) and from the built dist (`tsc -b` output, which
// `npm test` builds first): starts from flags, routes official clients, drains on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, startNode, type TestNode, whoami } from "./nodes.js";

const root = join(import.meta.dirname, "..", "..");
const dist = join(root, "packages/sticky/dist/bin/switchyard-balancer.js");
const source = join(root, "packages/sticky/src/bin/switchyard-balancer.ts");

const variants = [
  { name: "source", args: ["--import", "tsx", "--conditions=source", source], present: true },
  // `npm test` builds dist first; under CI a missing build is a failure, not a skip.
  { name: "built dist", args: [dist], present: existsSync(dist) || Boolean(process.env["CI"]) },
];

let nodes: TestNode[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  nodes = await Promise.all(["cli-a", "cli-b"].map((id) => startNode(id)));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await Promise.all(nodes.map((node) => node.stop()));
});

function start(args: string[]): {
  child: ChildProcess;
  nextEvent: (timeoutMs?: number) => Promise<Record<string, unknown>>;
} {
  const child = spawn(
    process.execPath,
    [
      ...args,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      ...nodes.flatMap((node) => ["--upstream", `${node.id}=${node.url}`]),
      "--health-interval-ms",
      "200",
      "--drain-timeout-ms",
      "1000",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  // Every line is queued as it arrives: readline may emit several lines in one go, and a line
  // emitted while no one waits must not be lost.
  const queued: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queued.push(line);
  });
  // Generous bound: a cold tsx start of the whole source graph on a loaded 2-core CI machine
  // can take several seconds.
  const nextEvent = (timeoutMs = 60_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const take = (line: string): void => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(take), 1);
        reject(new Error("no event from the CLI"));
      }, timeoutMs);
      const line = queued.shift();
      if (line !== undefined) take(line);
      else waiting.push(take);
    });
  return { child, nextEvent };
}

describe.each(variants)("switchyard-balancer CLI ($name)", ({ args, present }) => {
  it.skipIf(!present)(
    "listens, routes clients of both upstreams and exits 0 after draining on SIGTERM",
    async () => {
      const { child, nextEvent } = start(args);
      const listening = await nextEvent();
      expect(listening["event"]).toBe("listening");
      const url = `http://127.0.0.1:${String(listening["port"])}`;
      const sockets = await Promise.all([0, 1, 2, 3].map((i) => connectClient(url, i % 2 === 0)));
      const owners = new Set(await Promise.all(sockets.map((socket) => whoami(socket))));
      expect(owners).toEqual(new Set(["cli-a", "cli-b"]));
      for (const socket of sockets) socket.close();

      const exited = new Promise<number | null>((resolve) =>
        child.once("exit", (code) => resolve(code)),
      );
      child.kill("SIGTERM");
      expect((await nextEvent())["event"]).toBe("draining");
      expect((await nextEvent())["event"]).toBe("closed");
      expect(await exited).toBe(0);
    },
    90_000,
  );

  it.skipIf(!present)("exits 2 with the usage on a bad flag", async () => {
    const child = spawn(process.execPath, [...args, "--port", "eighty"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("--port must be an integer");
    expect(stderr).toContain("Usage: switchyard-balancer");
  });
});
