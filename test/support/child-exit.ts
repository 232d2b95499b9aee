// Stopping the child processes a test started, whether or not they are still running.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

/** Whether `child` has exited, with a code or on a signal. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Sends `signal` to `child` unless it has exited, and resolves once it has; with `killAfterMs`,
 * a child still running by then gets SIGKILL.
 */
export async function terminate(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
  killAfterMs?: number,
): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, "exit");
  const timer =
    killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  child.kill(signal);
  await exited;
  clearTimeout(timer);
}
