// Differential test of the built-in WebSocket engine against `ws`'s server: the same masked byte
// streams (random frames, right or wrong, cut at random points and written in separate writes),
// sent over loopback TCP to a `ws` WebSocketServer and to our transport, give the same messages
// (decoded as the websocket transport decodes them), the same first protocol error (ws's code
// name and close status), and the same bytes back on the wire (pongs, the close frame and its
// code), and both servers end the connection.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { decodeEnginePacket, type EnginePacket } from "@switchyard/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { WebSocketProtocolError } from "../../packages/server/src/transport/websocket-native/errors.js";
import {
  checkHandshake,
  switchingProtocols,
} from "../../packages/server/src/transport/websocket-native/handshake.js";
import { NativeWebSocketTransport } from "../../packages/server/src/transport/websocket-native/transport.js";
import { rawUpgrade } from "./support/raw-ws-client.js";
import { clientStream } from "./support/ws-client-frames.js";

const MAX_PAYLOAD = 1000;

type Event = ["packet", string] | ["parse error"] | ["error", string, number];

function describePacket(packet: EnginePacket): string {
  const data = packet.data;
  const shown = typeof data === "string" || data === undefined ? data : Buffer.from(data as Buffer);
  return JSON.stringify([packet.type, typeof shown === "object" ? shown.toString("hex") : shown]);
}

function statusOf(error: Error): number {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === "status-code");
  return symbol === undefined ? -1 : ((error as unknown as Record<symbol, number>)[symbol] ?? -1);
}

/** Where the current connection's server events go. */
let events: Event[] = [];

function onMessage(data: string | Buffer): void {
  const result = decodeEnginePacket(data, "nodebuffer");
  events.push(result.ok ? ["packet", describePacket(result.value)] : ["parse error"]);
}

function listen(onUpgrade: (socket: Duplex, head: Buffer, req: never) => void): Promise<Server> {
  const server = createServer();
  server.on("upgrade", (req, socket, head) => onUpgrade(socket, head, req as never));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let wsServer: Server;
let ourServer: Server;

beforeAll(async () => {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_PAYLOAD,
  });
  wsServer = await listen((socket, head, req) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => {
        const bytes = data as Buffer;
        onMessage(isBinary ? bytes : bytes.toString("utf8"));
      });
      ws.on("error", (error: Error & { code: string }) => {
        events.push(["error", error.code, statusOf(error)]);
      });
    });
  });
  ourServer = await listen((socket, head, req) => {
    const checked = checkHandshake(req);
    if ("status" in checked) throw new Error("unexpected refusal");
    socket.write(switchingProtocols(checked, []));
    const transport = new NativeWebSocketTransport(socket, head, {
      supportsBinary: true,
      maxPayload: MAX_PAYLOAD,
      maxFragments: 16 * 1024,
    });
    transport.bind({
      onPacket: (packet) => events.push(["packet", describePacket(packet)]),
      onParseError: () => events.push(["parse error"]),
      onError: (error) => {
        const cause = error.cause as WebSocketProtocolError;
        events.push(["error", cause.reason, cause.closeCode]);
      },
      onClose: () => {},
      onWritable: () => {},
    });
  });
});

afterAll(async () => {
  for (const server of [wsServer, ourServer]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Sends `chunks` to `server` in separate writes, then ends; what the server did and sent. */
async function run(server: Server, chunks: readonly Buffer[]) {
  events = [];
  const { port } = server.address() as AddressInfo;
  const client = await rawUpgrade(port, "/");
  for (const chunk of chunks) {
    if (client.socket.destroyed) break;
    client.socket.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  client.socket.end();
  const wire = await client.closed();
  return { events, wire: wire.toString("hex") };
}

describe("the built-in WebSocket engine against ws's server", () => {
  it("gives the same messages, errors and answers on the wire for random client streams", async () => {
    await fc.assert(
      fc.asyncProperty(clientStream, async ({ chunks }) => {
        const theirs = await run(wsServer, chunks);
        const ours = await run(ourServer, chunks);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300, seed: 20261209 },
    );
  }, 120_000);
});
