// Client child of the client scenario: N sockets of one stack (`@switchyard/client` or
// socket.io-client 4.8, picked by argv[2]) on one transport (argv[3]), each on its own
// connection. It counts the pushed events it receives and runs emit-with-ack loops on command;
// the runner measures this process's CPU around each.
import { io as switchyardIo } from "@switchyard/client";
import { io as officialIo } from "socket.io-client";
import { type Handler, ready, serve } from "../../lib/ipc.js";
import {
  type BenchTransport,
  BINARY_EVENT,
  type ClientImpl,
  type ConnectResult,
  ECHO_EVENT,
  TEXT_EVENT,
  textPayload,
} from "./load.js";

/** The part of the socket API both stacks share and the scenario uses. */
interface BenchSocket {
  on(event: string, fn: (...args: never[]) => void): unknown;
  once(event: string, fn: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(): unknown;
}
type Lookup = (uri: string, opts: Record<string, unknown>) => BenchSocket;

const impl = process.argv[2] as ClientImpl;
const transport = process.argv[3] as BenchTransport;
const lookup = (impl === "switchyard" ? switchyardIo : officialIo) as unknown as Lookup;
const WAIT_TIMEOUT_MS = 120_000;

let sockets: BenchSocket[] = [];
let received = 0;
let lastSeq = 0;
let waiter: { count: number; resolve: () => void } | undefined;

function onPushed(payload: { seq: number }): void {
  lastSeq = payload.seq;
  received++;
  if (waiter !== undefined && received >= waiter.count) {
    waiter.resolve();
    waiter = undefined;
  }
}

function connectOne(url: string): Promise<BenchSocket> {
  const socket = lookup(url, {
    forceNew: true,
    reconnection: false,
    transports: [transport],
    query: { impl },
  });
  socket.on(TEXT_EVENT, onPushed);
  socket.on(BINARY_EVENT, onPushed);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err: Error) => reject(err));
  });
}

/** Emits `total` acked echoes on `socket`, `window` in flight at a time. */
function ackLoop(socket: BenchSocket, total: number, window: number): Promise<void> {
  return new Promise((resolve) => {
    const payload = textPayload(0);
    let sent = 0;
    let acked = 0;
    const onAck = (): void => {
      acked++;
      if (acked === total) resolve();
      else if (sent < total) send();
    };
    const send = (): void => {
      sent++;
      socket.emit(ECHO_EVENT, payload, onAck);
    };
    for (let i = 0; i < Math.min(window, total); i++) send();
  });
}

const handlers: Record<string, Handler> = {
  connect: async (args): Promise<ConnectResult> => {
    const { url, sockets: n } = args as { url: string; sockets: number };
    // A few at a time: a burst of handshakes is not what is measured.
    for (let i = 0; i < n; i += 10) {
      const batch = Array.from({ length: Math.min(10, n - i) }, () => connectOne(url));
      sockets.push(...(await Promise.all(batch)));
    }
    return { sockets: sockets.length };
  },
  reset: () => {
    received = 0;
  },
  /** Resolves once `count` pushed events arrived since the last reset. */
  wait: (args) => {
    const { count } = args as { count: number };
    if (received >= count) return { received, lastSeq };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${impl}: ${received}/${count} events after ${WAIT_TIMEOUT_MS} ms`)),
        WAIT_TIMEOUT_MS,
      );
      waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve({ received, lastSeq });
        },
      };
    });
  },
  acks: async (args) => {
    const { perSocket, window } = args as { perSocket: number; window: number };
    await Promise.all(sockets.map((socket) => ackLoop(socket, perSocket, window)));
    return { acks: perSocket * sockets.length };
  },
  close: () => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  },
};

serve(handlers);
ready({ impl, transport });
