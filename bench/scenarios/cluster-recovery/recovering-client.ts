// The clients of the cluster-recovery scenario's restores (a bench child): raw `ws` clients that
// speak the Engine.IO v4 / Socket.IO v5 text wire as socket.io-client 4.8 does for connection
// state recovery — they keep the CONNECT reply's `pid` and the last string argument of every
// event (the offset), and come back with `40{"pid":…,"offset":…}` — the same code for both
// stacks. A witness client (same room, another node) tells the runner when the missed events
// have gone through the broker.
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import {
  type AwaitArgs,
  type CheckResult,
  type Connected,
  type CutState,
  END_EVENT,
  type OpenArgs,
  type RestoreArgs,
  type RestoreResult,
} from "./wire.js";

interface Client {
  ws: WebSocket | undefined;
  sid: string | undefined;
  pid: string | undefined;
  offset: string | undefined;
  /** Sequence numbers of the "m" events since the client (re)opened. */
  seqs: number[];
  /** Whether the end marker arrived since the client (re)opened. */
  ended: boolean;
  /** Called after every frame (the pending command's check). */
  onFrame: (() => void) | undefined;
  /** The CONNECT reply arrived: its sid and pid. */
  onConnect: ((reply: Connected) => void) | undefined;
}

const clients = new Map<string, Client>();

function wsUrl(base: string, room: string): string {
  return `${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`;
}

/** One Socket.IO EVENT to the main namespace: `42[name, …args]`. */
function onEvent(client: Client, payload: string): void {
  const args = JSON.parse(payload) as unknown[];
  const last = args[args.length - 1];
  // socket.io-client 4.8: with a pid, a string last argument is the offset.
  if (client.pid !== undefined && args.length > 1 && typeof last === "string") {
    client.offset = last;
  }
  if (args[0] === END_EVENT) client.ended = true;
  else if (args[0] === "m") client.seqs.push(Number(args[2]));
}

/** Opens `client`'s socket: CONNECT with `auth` once Engine.IO is open. */
function attach(client: Client, url: string, auth: string): void {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  client.ws = ws;
  ws.on("message", (data: Buffer) => {
    const frame = data.toString();
    if (frame.startsWith("42")) onEvent(client, frame.slice(2));
    else if (frame === "2") ws.send("3");
    else if (frame.startsWith("0")) ws.send(`40${auth}`);
    else if (frame.startsWith("40")) {
      const reply = JSON.parse(frame.slice(2)) as { sid: string; pid?: string };
      client.onConnect?.({ sid: reply.sid, pid: reply.pid });
    }
    client.onFrame?.();
  });
  ws.on("error", () => undefined);
}

function get(name: string): Client {
  const client = clients.get(name);
  if (client === undefined) throw new Error(`no client ${name}`);
  return client;
}

function open({ name, url, room }: OpenArgs): Promise<Connected> {
  const client: Client = {
    ws: undefined,
    sid: undefined,
    pid: undefined,
    offset: undefined,
    seqs: [],
    ended: false,
    onFrame: undefined,
    onConnect: undefined,
  };
  clients.get(name)?.ws?.terminate();
  clients.set(name, client);
  return new Promise((resolve) => {
    client.onConnect = (reply) => {
      client.onConnect = undefined;
      client.sid = reply.sid;
      client.pid = reply.pid;
      resolve(reply);
    };
    attach(client, wsUrl(url, room), "");
  });
}

/** Resolves when `done()` holds after a frame of `client`, or rejects after `timeoutMs`. */
function until(client: Client, what: string, done: () => boolean, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => {
      client.onFrame = undefined;
      reject(new Error(`timed out: ${what} (${client.seqs.length} events)`));
    }, timeoutMs);
    client.onFrame = () => {
      if (!done()) return;
      clearTimeout(timer);
      client.onFrame = undefined;
      resolve();
    };
  });
}

function awaitEvents({ name, count, timeoutMs }: AwaitArgs): Promise<void> {
  const client = get(name);
  return until(client, `${name}: ${count} events`, () => client.seqs.length >= count, timeoutMs);
}

/** Closes the transport (the server sees "transport close", a recoverable disconnection). */
function cut(name: string): CutState {
  const client = get(name);
  client.ws?.terminate();
  return { pid: client.pid, offset: client.offset, received: client.seqs.length };
}

function restore({ name, url, room, expected, timeoutMs }: RestoreArgs): Promise<RestoreResult> {
  const client = get(name);
  const { pid, offset, sid } = client;
  client.seqs = [];
  client.ended = false;
  return new Promise((resolve) => {
    let connect: (Connected & { at: number; before: number }) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (connect === undefined) return;
      clearTimeout(timer);
      client.onFrame = undefined;
      client.pid = connect.pid;
      client.sid = connect.sid;
      resolve({
        ms: performance.now() - started,
        connectMs: connect.at - started,
        recovered: pid !== undefined && connect.pid === pid,
        sameSid: connect.sid === sid,
        sid: connect.sid,
        received: client.seqs.length,
        beforeConnect: connect.before,
      });
    };
    client.onConnect = (reply) => {
      client.onConnect = undefined;
      connect = { ...reply, at: performance.now(), before: client.seqs.length };
      // A new session gets nothing more; a recovered one may still be writing its replay.
      if (reply.pid !== pid) finish();
      else timer = setTimeout(finish, timeoutMs);
    };
    client.onFrame = () => {
      if (connect !== undefined && client.seqs.length >= expected) finish();
    };
    const started = performance.now();
    attach(client, wsUrl(url, room), JSON.stringify({ pid, offset }));
  });
}

/** The "m" events since the reconnect, once the end marker arrived, against 0…n−1. */
async function check({ name, count, timeoutMs }: AwaitArgs): Promise<CheckResult> {
  const client = get(name);
  await until(client, `${name}: the end marker`, () => client.ended, timeoutMs);
  const seen = new Set<number>();
  let duplicates = 0;
  let inOrder = true;
  let previous = -1;
  for (const seq of client.seqs) {
    if (seen.has(seq) || !(seq >= 0 && seq < count)) duplicates++;
    seen.add(seq);
    if (seq <= previous) inOrder = false;
    previous = seq;
  }
  const missing = count - [...seen].filter((seq) => seq >= 0 && seq < count).length;
  return { received: client.seqs.length, missing, duplicates, inOrder };
}

serve({
  open: (args) => open(args as OpenArgs),
  await: (args) => awaitEvents(args as AwaitArgs),
  cut: (name) => cut(name as string),
  restore: (args) => restore(args as RestoreArgs),
  check: (args) => check(args as AwaitArgs),
  close: () => {
    for (const client of clients.values()) client.ws?.terminate();
    clients.clear();
  },
});
ready(null);
