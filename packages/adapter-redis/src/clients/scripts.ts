// Lua scripts run by their SHA1 (EVALSHA), with the whole script sent once (EVAL) when the
// server does not know it yet (NOSCRIPT: first use, a restart, a failover to a fresh replica).
import { createHash } from "node:crypto";
import type { BusClient, CommandArg, Settled } from "./bus-client.js";

/** A Lua script and its SHA1. */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

/** A script ready to be run by {@link runScript}. */
export function script(lua: string): Script {
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

/** Whether a command failed because the server does not know the script. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

function evalArgs(
  name: "EVALSHA" | "EVAL",
  body: string,
  keys: readonly string[],
  args: readonly CommandArg[],
): CommandArg[] {
  return [name, body, keys.length, ...keys, ...args];
}

/** Runs `s` on the connection serving `keys[0]`. */
export async function runScript(
  client: BusClient,
  s: Script,
  keys: readonly string[],
  args: readonly CommandArg[],
): Promise<unknown> {
  try {
    return await client.command(keys[0], evalArgs("EVALSHA", s.sha, keys, args));
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.command(keys[0], evalArgs("EVAL", s.lua, keys, args));
  }
}

/** Runs `s`, then `after` right behind it on the same connection (e.g. WAIT). */
export async function runScriptThen(
  client: BusClient,
  s: Script,
  keys: readonly string[],
  args: readonly CommandArg[],
  after: readonly CommandArg[],
): Promise<Settled[]> {
  const key = keys[0] ?? "";
  const first = await client.pipeline(key, [evalArgs("EVALSHA", s.sha, keys, args), after]);
  if (first[0]?.ok !== false || !isNoScript(first[0].error)) return first;
  return client.pipeline(key, [evalArgs("EVAL", s.lua, keys, args), after]);
}
