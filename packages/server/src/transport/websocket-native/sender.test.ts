import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EncodedPacket } from "../encoded-packet.js";
import type { OutboundPacket } from "../transport.js";
import { writePacketFrames } from "./sender.js";

/** What `writePacketFrames` puts on the wire, and how many `write` calls it took. */
function written(
  packets: EncodedPacket[],
  supportsBinary: boolean,
): Promise<{ bytes: Buffer; writes: number }> {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  let writes = 0;
  const write = socket.write.bind(socket) as (chunk: Buffer, cb?: () => void) => boolean;
  socket.write = ((chunk: Buffer, cb?: () => void) => {
    writes++;
    return write(chunk, cb);
  }) as typeof socket.write;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const outbound: OutboundPacket[] = packets.map((encoded) => ({ encoded, compress: false }));
  return new Promise((resolve, reject) => {
    writePacketFrames(socket, outbound, supportsBinary, (error) => {
      if (error) reject(error);
      else setImmediate(() => resolve({ bytes: Buffer.concat(chunks), writes }));
    });
  });
}

/** The frames as `ws`'s own Sender builds them, one packet at a time (the reference). */
const reference = (packets: EncodedPacket[], supportsBinary: boolean): Buffer =>
  Buffer.concat(packets.map((p) => Buffer.concat([...p.wsFrame(supportsBinary)])));

const packetOf = (kind: string, text: string, size: number): EncodedPacket => {
  if (kind === "binary") return new EncodedPacket("message", Buffer.alloc(size, 7));
  if (kind === "ping") return new EncodedPacket("ping");
  return new EncodedPacket("message", text);
};

describe("WebSocket frames of a batch", () => {
  it("writes a batch of small frames in one buffer, byte for byte as ws frames them", async () => {
    const packets = [
      new EncodedPacket("message", '2["m",1]'),
      new EncodedPacket("message", `2["é${"x".repeat(300)}"]`),
      new EncodedPacket("message", Buffer.from([1, 2, 3])),
      new EncodedPacket("ping"),
    ];
    for (const supportsBinary of [true, false]) {
      const { bytes, writes } = await written(packets, supportsBinary);
      expect(writes).toBe(1);
      expect(bytes.equals(reference(packets, supportsBinary))).toBe(true);
    }
  });

  it("copies a frame built already (a broadcast's) and falls back past 16 KiB", async () => {
    const shared = new EncodedPacket("message", '2["shared"]');
    shared.wsFrameBuffer(true);
    const large = new EncodedPacket("message", "x".repeat(20_000));
    const { bytes, writes } = await written([shared, new EncodedPacket("message", "a")], true);
    expect(writes).toBe(1);
    expect(bytes.equals(reference([shared, new EncodedPacket("message", "a")], true))).toBe(true);
    const mixed = [shared, large, new EncodedPacket("message", "b")];
    const fallback = await written(mixed, true);
    expect(fallback.writes).toBeGreaterThan(1);
    expect(fallback.bytes.equals(reference(mixed, true))).toBe(true);
  });

  it("matches the reference for any batch: strings with any code point, lone surrogates included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom("text", "text", "binary", "ping"),
            text: fc.oneof(
              fc.string({ unit: "binary", maxLength: 200 }),
              fc.string({ maxLength: 20 }).map((s) => `${s}\ud800${"y".repeat(130)}`),
            ),
            size: fc.integer({ min: 0, max: 70_000 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        async (shapes, supportsBinary) => {
          const packets = shapes.map((s) => packetOf(s.kind, s.text, s.size));
          const copies = shapes.map((s) => packetOf(s.kind, s.text, s.size));
          const { bytes } = await written(packets, supportsBinary);
          expect(bytes.equals(reference(copies, supportsBinary))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
