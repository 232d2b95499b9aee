// The c100k load generator (a bench child): idle raw `ws` clients speaking the Engine.IO v4 /
// Socket.IO v5 text wire (open → "40" → CONNECT, ping → pong), each bound to one of several
// loopback source addresses (127.0.0.2, .3, …) so that 100,000 connections to one server port
// do not run out of ephemeral ports (about 28,000 per source address). Bounded: `connect` gives
// up at its deadline or after too many failures, and resolves with what it got.
import { WebSocket } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import { nowMicros } from "../cluster-support/wire.js";

/** `connect`: `count` more clients on `port`, `concurrency` handshakes at once. */
export interface ConnectArgs {
  port: number;
  count: number;
  /** Source addresses, used round robin. */
  addresses: string[];
  concurrency: number;
  /** Epoch ms after which no new connection is started. */
  deadline: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** The first failure's message, if any. */
  error?: string;
}

/** `emit:wait` reply: how many clients got the event and when the last one did (µs). */
export interface EmitResult {
  received: number;
  lastAt: number;
}

/** Failures after which `connect` stops trying (the server refuses: it is full). */
const MAX_FAILURES = 200;
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

const sockets: WebSocket[] = [];
let received = 0;
let lastAt = 0;
let expected = 0;
let onAll: (() => void) | undefined;

function open(port: number, localAddress: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      localAddress,
    });
    let connected = false;
    ws.once("error", reject);
    ws.on("message", (frame: Buffer) => {
      const type = frame[0];
      if (type === CHAR_2) ws.send("3");
      else if (type === CHAR_0) ws.send("40");
      else if (type === CHAR_4 && frame[1] === CHAR_0 && !connected) {
        connected = true;
        ws.off("error", reject);
        ws.on("error", () => {});
        resolve(ws);
      } else if (type === CHAR_4 && frame[1] === CHAR_2) {
        received++;
        lastAt = nowMicros();
        if (received === expected) onAll?.();
      }
    });
  });
}

async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const result: ConnectResult = { connected: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < args.count && Date.now() < args.deadline && result.failed < MAX_FAILURES) {
      const address =
        args.addresses[(sockets.length + next) % args.addresses.length] ?? "127.0.0.1";
      next++;
      try {
        sockets.push(await open(args.port, address));
        result.connected++;
      } catch (error) {
        result.failed++;
        result.error ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, worker));
  return result;
}

serve({
  connect: (args) => connect(args as ConnectArgs),
  /** Open sockets still open (a server that died closes them). */
  open: () => sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
  "emit:arm": () => {
    received = 0;
    lastAt = 0;
    expected = sockets.length;
  },
  /** Resolves once every client has the event, or after `ms`: what arrived by then. */
  "emit:wait": (ms) =>
    new Promise<EmitResult>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        onAll = undefined;
        resolve({ received, lastAt });
      };
      const timer = setTimeout(done, ms as number);
      if (received >= expected) done();
      else onAll = done;
    }),
  close: () => {
    for (const ws of sockets.splice(0)) ws.terminate();
  },
});
ready({ pid: process.pid });
