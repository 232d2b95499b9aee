// The node processes of a recovery fault test (fixtures/recovery-node.ts): start, command over
// IPC (publish, stats, shutdown), SIGKILL, and start again under the same node id.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { terminate } from "../../support/child-exit.js";

/** One node process of the fleet. */
export interface FleetNode {
  /** Its node id (`SWITCHYARD_NODE_ID`): the sid tag the balancer routes by. */
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Sends a command and resolves with the node's answer (10 s bound). */
  command(
    cmd: "publish" | "settle" | "stats" | "shutdown",
    extra?: object,
  ): Promise<Record<string, unknown>>;
}

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "recovery-node.ts");

/** Forks one node under `id` with `env` added; resolves once it listens. */
export async function startFleetNode(
  id: string,
  env: Record<string, string | undefined>,
  port = 0,
): Promise<FleetNode> {
  const child = fork(FIXTURE, [], {
    execArgv: ["--import", "tsx", "--conditions=source"],
    env: { ...process.env, ...env, SWITCHYARD_NODE_ID: id, PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [first] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(() => {
      throw new Error(`node ${id} exited before listening`);
    }),
  ])) as [{ port: number }];
  let next = 1;
  const pending = new Map<number, (reply: Record<string, unknown>) => void>();
  child.on("message", (value: unknown) => {
    const reply = value as { id?: number };
    if (typeof reply.id === "number") pending.get(reply.id)?.(reply as Record<string, unknown>);
  });
  return {
    id,
    url: `http://127.0.0.1:${first.port}`,
    child,
    command(cmd, extra = {}) {
      const commandId = next++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(commandId);
          reject(new Error(`node ${id} did not answer ${cmd}`));
        }, 10_000);
        pending.set(commandId, (reply) => {
          clearTimeout(timer);
          pending.delete(commandId);
          resolve(reply);
        });
        child.send({ id: commandId, cmd, ...extra });
      });
    },
  };
}

/** SIGKILLs a node (no goodbye, nothing flushed) and waits for its exit. */
export async function killNode(node: FleetNode): Promise<void> {
  await terminate(node.child, "SIGKILL");
}

/** Stops a node gracefully (`io.shutdown()`), then waits for its exit. */
export async function shutdownNode(node: FleetNode): Promise<void> {
  const exited = once(node.child, "exit");
  await node.command("shutdown");
  await exited;
}

/** Stops whatever is left of the fleet. */
export async function stopFleet(nodes: Iterable<FleetNode>): Promise<void> {
  await Promise.all([...nodes].map((node) => terminate(node.child, "SIGTERM", 5_000)));
}
