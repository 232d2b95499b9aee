// The built-in transport on a socket that never completes a write: what a client that stops
// reading looks like to the server.
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { encodeClientFrame } from "../../../../../test/engine/support/ws-client-frames.js";
import { EncodedPacket } from "../encoded-packet.js";
import { NativeWebSocketTransport } from "./transport.js";

/** A socket whose writes stay pending (the peer does not read). */
function stalledSocket(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _encoding, _callback) {},
    // No highWaterMark trick: bytes queue in writableLength as on a real socket.
  });
}

function open(socket: Duplex): NativeWebSocketTransport {
  return new NativeWebSocketTransport(socket, Buffer.alloc(0), {
    supportsBinary: true,
    maxPayload: 1e6,
    maxFragments: 16,
  });
}

describe("NativeWebSocketTransport on a peer that does not read", () => {
  it("cuts off a peer with 60 pongs unwritten, as ws's autoPong does", () => {
    const socket = stalledSocket();
    open(socket);
    const ping = encodeClientFrame({ opcode: 0x9, payload: Buffer.from("p") });
    for (let i = 0; i < 60; i++) socket.emit("data", Buffer.from(ping));
    expect(socket.destroyed).toBe(false);
    socket.emit("data", Buffer.from(ping));
    expect(socket.destroyed).toBe(true);
  });

  it("counts unwritten bytes in bufferedBytes and is not writable while a batch is in flight", () => {
    const socket = stalledSocket();
    const transport = open(socket);
    expect(transport.writable).toBe(true);
    const packet = new EncodedPacket("message", "x".repeat(100));
    transport.send([{ encoded: packet, compress: false }], () => {});
    // The first write goes to _write at once; the next ones queue.
    transport.send([{ encoded: packet, compress: false }], () => {});
    expect(transport.writable).toBe(false);
    expect(transport.canFlush).toBe(true);
    expect(transport.bufferedBytes).toBeGreaterThanOrEqual(103);
  });
});
