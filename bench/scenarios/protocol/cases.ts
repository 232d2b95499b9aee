// The codec cases of the protocol scenario: @switchyard/protocol against the official
// engine.io-parser and socket.io-parser on the same inputs.

import {
  Decoder,
  decodeEnginePacket,
  Encoder,
  encodeEnginePacket,
  type Packet,
  PacketType,
} from "@switchyard/protocol";
import * as eioParser from "engine.io-parser";
import * as sioParser from "socket.io-parser";

/** One operation on both stacks. */
export interface Case {
  name: string;
  ours: () => unknown;
  theirs: () => unknown;
}

const small: Packet = { type: PacketType.EVENT, nsp: "/", data: ["chat", { text: "hi", n: 1 }] };
const nested: Packet = {
  type: PacketType.EVENT,
  nsp: "/room",
  id: 42,
  data: [
    "state",
    {
      user: { id: "u_123456", name: "Ada Lovelace", roles: ["admin", "dev"], active: true },
      items: Array.from({ length: 10 }, (_, i) => ({ id: i, label: `item-${i}`, price: i * 1.5 })),
      meta: { ts: 1_732_550_400_000, tags: { a: 1, b: [1, 2, { c: null }] } },
    },
  ],
};
const binary: Packet = {
  type: PacketType.EVENT,
  nsp: "/",
  data: ["upload", { name: "blob.bin", chunk: Buffer.alloc(1024, 7) }],
};

const ourEncoder = new Encoder();
const theirEncoder = new sioParser.Encoder();

// One decoder per side for the whole run, as a server keeps one per connection.
const ourDecoder = new Decoder();
const theirDecoder = new sioParser.Decoder();
let theirLast: unknown;
theirDecoder.on("decoded", (p: unknown) => {
  theirLast = p;
});

function ourDecode(chunks: Array<string | Uint8Array>): unknown {
  let out: unknown;
  for (const chunk of chunks) {
    const r = ourDecoder.add(chunk);
    if (!r.ok) throw r.error;
    out = r.packet;
  }
  return out;
}

function theirDecode(chunks: Array<string | Uint8Array>): unknown {
  for (const chunk of chunks) theirDecoder.add(chunk);
  return theirLast;
}

function socketCases(label: string, packet: Packet): Case[] {
  const wire = ourEncoder.encode(packet) as Array<string | Uint8Array>;
  return [
    {
      name: `socket.io encode ${label}`,
      ours: () => ourEncoder.encode(packet),
      theirs: () => theirEncoder.encode(packet as sioParser.Packet),
    },
    {
      name: `socket.io decode ${label}`,
      ours: () => ourDecode(wire),
      theirs: () => theirDecode(wire),
    },
  ];
}

const eioText = { type: "message" as const, data: '2["chat",{"text":"hi","n":1}]' };
const eioBinary = { type: "message" as const, data: Buffer.alloc(1024, 7) };

const engineCases: Case[] = [
  {
    name: "engine.io encode text",
    ours: () => encodeEnginePacket(eioText, true),
    theirs: () => eioParser.encodePacket(eioText, true, () => {}),
  },
  {
    name: "engine.io decode text",
    ours: () => decodeEnginePacket('42["chat",{"text":"hi","n":1}]'),
    theirs: () => eioParser.decodePacket('42["chat",{"text":"hi","n":1}]'),
  },
  {
    name: "engine.io encode binary (base64)",
    ours: () => encodeEnginePacket(eioBinary, false),
    theirs: () => eioParser.encodePacket(eioBinary, false, () => {}),
  },
];

// Ceilings: V8's own JSON.stringify / JSON.parse of the same event against the official codec.
// No codec that uses V8's JSON can beat these ratios; they bound what "encode/decode small event"
// can reach on this runtime.
const smallText = (ourEncoder.encode(small)[0] as string).slice(1);
const ceilingCases: Case[] = [
  {
    name: "ceiling: JSON.stringify alone vs official encode small event",
    ours: () => JSON.stringify(small.data),
    theirs: () => theirEncoder.encode(small as sioParser.Packet),
  },
  {
    name: "ceiling: JSON.parse alone vs official decode small event",
    ours: () => JSON.parse(smallText),
    theirs: () => theirDecode([`2${smallText}`]),
  },
];

/** Every case, codecs first, then the V8 JSON ceilings. */
export const CASES: readonly Case[] = [
  ...socketCases("small event", small),
  ...socketCases("nested object", nested),
  ...socketCases("binary attachment", binary),
  ...engineCases,
  ...ceilingCases,
];
