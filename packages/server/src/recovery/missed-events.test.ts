import { Encoder, type Packet, PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { WirePacket } from "../adapter/wire-packet.js";
import { restoredSession } from "./missed-events.js";
import type { EventPayload } from "./replay.js";

const encoder = new Encoder();
const defaultEncoder = { encode: (p: Packet) => encoder.encode(p), defaultWireFormat: true };
const customEncoder = { encode: (p: Packet) => encoder.encode(p) };
const saved = { sid: "s", pid: "p", rooms: ["r"], data: { a: 1 } };

function chunks(nsp: string, data: unknown[]): WirePacket {
  return encoder.encode({ type: PacketType.EVENT, nsp, data }) as unknown as WirePacket;
}

const events = (nsp: string): EventPayload[] => [
  ["object", 1],
  { encoded: chunks(nsp, ["encoded", Buffer.from([9])]) },
  ["again", { b: true }],
];

describe("restoredSession", () => {
  it("hands every event over encoded, in order, the offset last, without decoding", () => {
    const session = restoredSession(saved, events("/chat"), "off-1", "/chat", defaultEncoder);
    expect(session.missedEncoded).toEqual([
      ['2/chat,["object",1,"off-1"]'],
      ['51-/chat,["encoded",{"_placeholder":true,"num":0},"off-1"]', Buffer.from([9])],
      ['2/chat,["again",{"b":true},"off-1"]'],
    ]);
    expect(session).toMatchObject(saved);
  });

  it("decodes missedPackets only when read, with the same events", () => {
    const session = restoredSession(saved, events("/"), "off-2", "/", defaultEncoder);
    const packets = session.missedPackets;
    expect(packets).toEqual([
      ["object", 1, "off-2"],
      ["encoded", Buffer.from([9]), "off-2"],
      ["again", { b: true }, "off-2"],
    ]);
    expect(session.missedPackets).toBe(packets);
  });

  it("gives only data arrays to a server with a custom parser", () => {
    const session = restoredSession(saved, events("/"), "off-3", "/", customEncoder);
    expect(session.missedEncoded).toBeUndefined();
    expect(session.missedPackets.map((data) => data[0])).toEqual(["object", "encoded", "again"]);
    expect(session.missedPackets[1]?.[2]).toBe("off-3");
  });
});
