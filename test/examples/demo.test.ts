// Smoke test of the `npm start` demo: it boots from the built packages, serves its page and the
// client bundle, relays chat between two clients with an ack, and exits 0 on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { io, type Socket } from "@switchyard/client";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
let demo: ChildProcess | undefined;
const clients: Socket[] = [];

afterAll(() => {
  for (const client of clients) client.close();
  if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill("SIGKILL");
});

function next(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    socket.once(event, (...args: unknown[]) => resolve(args));
  });
}

async function startDemo(): Promise<string> {
  demo = spawn(process.execPath, [join(root, "examples/demo/index.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: demo.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const match = /open (http:\/\/localhost:\d+)/.exec(line);
    if (match?.[1]) return match[1].replace("localhost", "127.0.0.1");
  }
  throw new Error("the demo exited before listening");
}

describe("the npm start demo", () => {
  it("serves its page and the client bundle, relays chat with acks, and stops on SIGTERM", async () => {
    const url = await startDemo();
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/socket.io/socket.io.min.js">');
    const bundle = await fetch(`${url}/socket.io/socket.io.min.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(10_000);

    const alice = io(url, { auth: { name: "alice" }, forceNew: true });
    const bob = io(url, { auth: { name: "bob" }, forceNew: true });
    clients.push(alice, bob);
    await Promise.all([next(alice, "connect"), next(bob, "connect")]);
    const received = next(bob, "chat");
    const ack = await alice.timeout(5000).emitWithAck("chat", "hello bob");
    expect(ack).toMatchObject({ ok: true });
    const [message] = await received;
    expect(message).toMatchObject({ from: "alice", text: "hello bob" });

    const exited = once(demo as ChildProcess, "exit");
    demo?.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
