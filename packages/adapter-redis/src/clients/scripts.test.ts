import { describe, expect, it } from "vitest";
import type { BusClient, CommandArg } from "./bus-client.js";
import { forgetScripts, runScript, script } from "./scripts.js";

/**
 * A Redis server as far as scripts go: one script cache for every client, commands run in the
 * order they arrive, one at a time, each reply after the previous one (a pipelining client).
 * `between` runs right after the n-th command of the client (another client's command).
 */
function fakeServer(between: Map<number, () => void> = new Map()) {
  const scripts = new Set<string>();
  /** The script runs, in execution order (their first argument). */
  const ran: string[] = [];
  let queue = Promise.resolve();
  let commands = 0;
  const execute = (args: readonly CommandArg[]): unknown => {
    const [name, body, , , first] = args as [string, string, number, string, string];
    if (name === "EVALSHA" && !scripts.has(body)) throw new Error("NOSCRIPT No matching script.");
    if (name === "EVAL") scripts.add(script(body).sha);
    ran.push(first);
    return first;
  };
  const client = {
    command(_key: string | undefined, args: readonly CommandArg[]): Promise<unknown> {
      const n = ++commands;
      const reply = queue.then(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        try {
          return execute(args);
        } finally {
          between.get(n)?.();
        }
      });
      queue = reply.then(
        () => undefined,
        () => undefined,
      );
      return reply;
    },
  } as unknown as BusClient;
  /** Another client loads the script (EVAL or SCRIPT LOAD). */
  const load = (lua: string): void => {
    scripts.add(script(lua).sha);
  };
  return { client, ran, load, restart: () => scripts.clear(), sent: () => commands };
}

const APPEND = script("return ARGV[1]");

describe("scripts run by SHA", () => {
  it("run in the order they were issued when another client loads the script meanwhile (a restart)", async () => {
    const between = new Map<number, () => void>();
    const server = fakeServer(between);
    // Known and used before the restart.
    await runScript(server.client, APPEND, ["{t}:k"], ["a0"]);
    await runScript(server.client, APPEND, ["{t}:k"], ["a1"]);
    // The server restarts without persistence: its script cache is empty. The client noticed
    // (the bus forgets the scripts when the connection is lost).
    server.restart();
    forgetScripts(server.client);
    // Three appends issued at once (pipelined); another node loads the script right after the
    // first of them reached the server.
    between.set(server.sent() + 1, () => server.load(APPEND.lua));
    await Promise.all(
      ["b0", "b1", "b2"].map((n) => runScript(server.client, APPEND, ["{t}:k"], [n])),
    );
    expect(server.ran).toEqual(["a0", "a1", "b0", "b1", "b2"]);
  });

  it("use EVAL until the server is known to have the script, then EVALSHA", async () => {
    const sent: string[] = [];
    const client = {
      command: async (_key: string | undefined, args: readonly CommandArg[]) => {
        sent.push(String(args[0]));
        return 1;
      },
    } as unknown as BusClient;
    await Promise.all([
      runScript(client, APPEND, ["{a}:x"], ["1"]),
      runScript(client, APPEND, ["{a}:x"], ["2"]),
    ]);
    await runScript(client, APPEND, ["{a}:y"], ["3"]);
    // Another hash tag may live on another Cluster master.
    await runScript(client, APPEND, ["{b}:x"], ["4"]);
    forgetScripts(client);
    await runScript(client, APPEND, ["{a}:x"], ["5"]);
    await runScript(client, APPEND, ["{a}:x"], ["6"]);
    expect(sent).toEqual(["EVAL", "EVAL", "EVALSHA", "EVAL", "EVAL", "EVALSHA"]);
  });

  it("fall back to EVAL on NOSCRIPT (a server that lost its scripts unnoticed)", async () => {
    const server = fakeServer();
    await runScript(server.client, APPEND, ["{t}:k"], ["a0"]);
    server.restart();
    await runScript(server.client, APPEND, ["{t}:k"], ["a1"]);
    await runScript(server.client, APPEND, ["{t}:k"], ["a2"]);
    expect(server.ran).toEqual(["a0", "a1", "a2"]);
  });
});
