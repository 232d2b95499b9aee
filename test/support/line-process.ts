// A child process whose stdout (and optionally stderr) is collected line by line, for tests that
// wait for a process to print something and check what it printed before it ended.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface LineProcess {
  child: ChildProcess;
  /** stdout, one entry per line, as they arrive. */
  lines: string[];
  /** stderr lines; empty when stderr is inherited. */
  stderr: string[];
  /** The exit code once stdout and stderr have ended ("close", not "exit": every line is in). */
  exited: Promise<number | null>;
}

export interface LineProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Collect stderr (default) or pass it through to the test's own. */
  stderr?: "pipe" | "inherit";
}

/** Runs `node <args>` with stdout (and stderr) collected by line. */
export function spawnNode(args: readonly string[], options: LineProcessOptions): LineProcess {
  return spawnLines(process.execPath, args, options);
}

/** Runs `command <args>` with stdout (and stderr) collected by line. */
export function spawnLines(
  command: string,
  args: readonly string[],
  options: LineProcessOptions,
): LineProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", options.stderr ?? "pipe"],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
    lines.push(line),
  );
  if (child.stderr !== null) {
    createInterface({ input: child.stderr }).on("line", (line) => stderr.push(line));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => resolve(code));
  });
  return { child, lines, stderr, exited };
}

/** The first stdout line matching `pattern`, polled until `timeoutMs` or the process exits. */
export async function waitForLine(
  proc: LineProcess,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<RegExpExecArray> {
  for (let waited = 0; waited < timeoutMs; waited += 20) {
    for (const line of proc.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    if (proc.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `no line matching ${pattern}; stdout ${proc.lines.join(" | ")}; stderr ${proc.stderr.join(" | ")}`,
  );
}
