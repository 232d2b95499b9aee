// The parent side of the multi-process runs: fork a node fixture, ask its clients questions.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { Socket as ClientSocket } from "socket.io-client";

/** Forks `test/cluster/fixtures/<fixture>` with `env` added and waits for its port. */
export async function spawnNode(
  fixture: string,
  env: Record<string, string | undefined>,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(import.meta.dirname, "..", "fixtures", fixture), [], {
    execArgv: ["--import", "tsx", "--conditions=source"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(() => {
      throw new Error("node process exited before listening");
    }),
  ])) as [{ port: number }];
  return { child, port: message.port };
}

/** Emits `ev` with an ack and resolves with the answer (5 s timeout). */
export function ask<T>(client: ClientSocket, ev: string, ...args: unknown[]): Promise<T> {
  return client.timeout(5000).emitWithAck(ev, ...args) as Promise<T>;
}

/** Whether every client's node counts `n` servers. */
export async function countsAll(clients: ClientSocket[], n: number): Promise<boolean> {
  const counts = await Promise.all(clients.map((c) => ask<number>(c, "count")));
  return counts.every((count) => count === n);
}
