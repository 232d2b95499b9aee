// Property tests of the server's frame parser against `ws`'s own Receiver in server mode:
// thousands of seeded random client frame sequences (valid and not: every opcode, RSV bits,
// missing masks, control frames inside fragmented messages, oversize control frames, 64-bit
// lengths, close codes, UTF-8 broken within and across fragments, maxPayload), cut into chunks at
// random points, give the same messages, pings, close frame and first protocol error (ws's code
// name and close status), and the same whatever the cut.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clientStream,
  encodeClientFrame,
} from "../../../../../test/engine/support/ws-client-frames.js";
import {
  type ReceiverEvent as Event,
  runWsReceiver,
} from "../../../../../test/support/ws-reference-receiver.js";
import { Receiver, type ReceiverSink } from "./receiver.js";

function runOurs(chunks: readonly Buffer[], maxPayload: number, maxFragments = 0): Event[] {
  const events: Event[] = [];
  const sink: ReceiverSink = {
    onText: (data) => events.push(["text", data.toString()]),
    onBinary: (data) => events.push(["binary", data.toString("hex")]),
    onPing: (payload) => events.push(["ping", payload.toString("hex")]),
    onCloseFrame: (code, reason) => events.push(["close", code, reason]),
    onProtocolError: (err) => events.push(["error", err.reason, err.closeCode]),
  };
  const receiver = new Receiver(sink, { maxPayload, maxFragments });
  // The receiver unmasks in place: give it copies, as a socket gives fresh chunks.
  for (const chunk of chunks) receiver.push(Buffer.from(chunk));
  return events;
}

function runWs(chunks: readonly Buffer[], maxPayload: number): Promise<Event[]> {
  return runWsReceiver(chunks, { isServer: true, maxPayload });
}

const maxPayload = fc.constantFrom(0, 0, 150, 1000);

describe("the server's WebSocket frame parser, generated", () => {
  it("reports what ws's server Receiver reports for random frames cut at random points", async () => {
    await fc.assert(
      fc.asyncProperty(clientStream, maxPayload, async ({ chunks }, max) => {
        expect(runOurs(chunks, max)).toEqual(await runWs(chunks, max));
      }),
      { numRuns: 2000, seed: 20261207 },
    );
  });

  it("reports the same whether the bytes come in one chunk, at random cuts or one by one", () => {
    fc.assert(
      fc.property(clientStream, maxPayload, ({ bytes, chunks }, max) => {
        const whole = runOurs([bytes], max);
        expect(runOurs(chunks, max)).toEqual(whole);
        expect(
          runOurs(
            [...bytes].map((byte) => Buffer.from([byte])),
            max,
          ),
        ).toEqual(whole);
      }),
      { numRuns: 2000, seed: 20261208 },
    );
  });
});

describe("the server's WebSocket frame parser, hostile chunking", () => {
  it("assembles a 256 KiB frame sent one byte per chunk", () => {
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const frame = encodeClientFrame({ opcode: 2, payload });
    const events = runOurs(
      [...frame].map((byte) => Buffer.from([byte])),
      0,
    );
    expect(events).toEqual([["binary", payload.toString("hex")]]);
  });
});
