// Runs examples/demo/index.mjs (the `npm start` demo, from the built packages) as a child process
// on a free loopback port, and tracks its workers from the console lines it prints.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..", "..");

export interface Demo {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` from the primary's "open http://localhost:<port>" line. */
  url: string;
  /** Every worker pid seen in a "node <id> started (pid N)" line (respawns included). */
  workerPids: Set<number>;
  /** The pid of the latest worker of each node id. */
  pidOf: Map<string, number>;
  lines: string[];
}

/** Starts the demo with PORT=0 and `env`; resolves once the primary prints its address. */
export async function startDemo(env: Record<string, string> = {}): Promise<Demo> {
  const child = spawn(process.execPath, [join(root, "examples/demo/index.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const demo: Demo = { child, url: "", workerPids: new Set(), pidOf: new Map(), lines: [] };
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on("line", (line) => {
    demo.lines.push(line);
    const started = /node (\S+) started \(pid (\d+)\)/.exec(line);
    if (started?.[1] && started[2]) {
      demo.workerPids.add(Number(started[2]));
      demo.pidOf.set(started[1], Number(started[2]));
    }
  });
  demo.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the demo did not listen within 15 s")),
      15_000,
    );
    lines.on("line", (line) => {
      const match = /open (http:\/\/localhost:\d+)/.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1].replace("localhost", "127.0.0.1"));
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error("the demo exited before listening"));
    });
  });
  return demo;
}

/** SIGTERMs the primary; resolves with its exit code (and `null` on a signal). */
export async function stopDemo(demo: Demo): Promise<number | null> {
  if (demo.child.exitCode !== null || demo.child.signalCode !== null) return demo.child.exitCode;
  const exited = once(demo.child, "exit");
  const closed = once(demo.child, "close");
  demo.child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  // Its last lines may still be in the pipe at "exit"; "close" follows once stdout has ended
  // (bounded: a surviving worker shares that pipe, and the caller checks for survivors).
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  return code;
}

/** For afterAll: SIGKILLs whatever of the demo is still running. */
export function killDemo(demo: Demo): void {
  for (const pid of demo.workerPids) killQuietly(pid);
  if (demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill("SIGKILL");
}

export function killQuietly(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
