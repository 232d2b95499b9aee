// Lua scripts run by their SHA1 (EVALSHA) once the server is known to have them, by their text
// (EVAL, which also loads them) before: on first use, and again after the connection was lost (a
// restart without persistence forgets every script). Not EVALSHA-then-EVAL-on-NOSCRIPT by default:
// a client pipelines its commands, and when another client loads the script between two of them,
// the first fails (NOSCRIPT) while the next ones run; its EVAL then runs after them, and appends
// made in one order land, and are published, in another (receivers drop a node's event that comes
// after a later one of the same node as a copy). NOSCRIPT is still handled, for a server that lost
// its scripts without the client noticing (SCRIPT FLUSH, a failover to a fresh replica).
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

/** Per client, the scripts known to be loaded, by hash slot tag (each Cluster master has its own). */
const known: WeakMap<BusClient, Set<string>> = new WeakMap();

/**
 * Forgets which scripts `client`'s server has: its next script commands send the whole script
 * (EVAL). Called when the connection is lost or made again (the server may be a new one).
 */
export function forgetScripts(client: BusClient): void {
  known.get(client)?.clear();
}

/** What the server serving `key` is known to have loaded: the key's hash tag (or the key) and `s`. */
function loadedId(s: Script, key: string | undefined): string {
  const k = key ?? "";
  const open = k.indexOf("{");
  const close = open < 0 ? -1 : k.indexOf("}", open + 1);
  return `${s.sha}|${close > open + 1 ? k.slice(open + 1, close) : k}`;
}

function isLoaded(client: BusClient, id: string): boolean {
  return known.get(client)?.has(id) === true;
}

function setLoaded(client: BusClient, id: string, loaded: boolean): void {
  let set = known.get(client);
  if (set === undefined) {
    if (!loaded) return;
    set = new Set();
    known.set(client, set);
  }
  if (loaded) set.add(id);
  else set.delete(id);
}

/** Runs `s` on the connection serving `keys[0]`. */
export async function runScript(
  client: BusClient,
  s: Script,
  keys: readonly string[],
  args: readonly CommandArg[],
): Promise<unknown> {
  const id = loadedId(s, keys[0]);
  if (!isLoaded(client, id)) {
    // Sent in order with the commands around it; the server then has the script.
    const value = await client.command(keys[0], evalArgs("EVAL", s.lua, keys, args));
    setLoaded(client, id, true);
    return value;
  }
  try {
    return await client.command(keys[0], evalArgs("EVALSHA", s.sha, keys, args));
  } catch (error) {
    if (!isNoScript(error)) throw error;
    setLoaded(client, id, false);
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
  const id = loadedId(s, key);
  if (isLoaded(client, id)) {
    const first = await client.pipeline(key, [evalArgs("EVALSHA", s.sha, keys, args), after]);
    if (first[0]?.ok !== false || !isNoScript(first[0].error)) return first;
    setLoaded(client, id, false);
  }
  const results = await client.pipeline(key, [evalArgs("EVAL", s.lua, keys, args), after]);
  if (results[0]?.ok === true) setLoaded(client, id, true);
  return results;
}
