import { encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  decodeClusterMessage,
  encodeClusterMessage,
  fromWireOptions,
  hasSenderPrefix,
  MessageType,
  senderPrefix,
  toWireOptions,
} from "./cluster-message.js";

const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid: "0123456789abcdef", nsp: "/" };
const opts = { rooms: ["r"], except: ["x"], flags: { volatile: true } };

const valid: ClusterMessage[] = [
  { ...envelope, type: MessageType.INITIAL_HEARTBEAT, data: undefined },
  { ...envelope, type: MessageType.HEARTBEAT, data: undefined },
  {
    ...envelope,
    type: MessageType.BROADCAST,
    data: { opts, packet: { type: 2, nsp: "/", data: ["ev", new Uint8Array([1, 2])] } },
  },
  {
    ...envelope,
    type: MessageType.BROADCAST,
    data: { opts, packet: { type: 2, nsp: "/", data: ["ev"] }, requestId: "req" },
  },
  { ...envelope, type: MessageType.SOCKETS_JOIN, data: { opts, rooms: ["a"] } },
  { ...envelope, type: MessageType.SOCKETS_LEAVE, data: { opts, rooms: ["a"] } },
  { ...envelope, type: MessageType.DISCONNECT_SOCKETS, data: { opts, close: true } },
  { ...envelope, type: MessageType.FETCH_SOCKETS, data: { opts, requestId: "req" } },
  {
    ...envelope,
    type: MessageType.FETCH_SOCKETS_RESPONSE,
    data: {
      requestId: "req",
      sockets: [{ id: "s", handshake: {} as never, rooms: ["s"], data: { x: 1 } }],
    },
  },
  { ...envelope, type: MessageType.SERVER_SIDE_EMIT, data: { packet: ["ev", 1] } },
  { ...envelope, type: MessageType.SERVER_SIDE_EMIT_RESPONSE, data: { requestId: "r", packet: 1 } },
  {
    ...envelope,
    type: MessageType.BROADCAST_CLIENT_COUNT,
    data: { requestId: "r", clientCount: 3 },
  },
  { ...envelope, type: MessageType.BROADCAST_ACK, data: { requestId: "r", packet: "ok" } },
  { ...envelope, type: MessageType.ADAPTER_CLOSE, data: undefined },
];

describe("cluster messages", () => {
  it("numbers the message types 1 to 13 as socket.io-adapter does, then our own 15", () => {
    expect(Object.values(MessageType)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15]);
    expect(MessageType.INITIAL_HEARTBEAT).toBe(1);
    expect(MessageType.ADAPTER_CLOSE).toBe(13);
    expect(MessageType.HISTORY_GAP).toBe(15);
  });

  it("accepts a recoverable broadcast's counter and refuses a malformed one", () => {
    const opts = { rooms: [], except: [], flags: {} };
    const packet = { type: 2, nsp: "/", data: ["ev"] };
    const withCounter = (o: unknown): Uint8Array =>
      encode({ ...envelope, type: 3, data: { opts, packet, o } });
    expect(decodeClusterMessage(withCounter(7)).ok).toBe(true);
    for (const bad of [0, -1, 1.5, "7", Number.MAX_SAFE_INTEGER + 2]) {
      expect(decodeClusterMessage(withCounter(bad))).toEqual({ ok: false, reason: "bad-data" });
    }
    const gap = encode({ ...envelope, type: 15, data: { rooms: ["r"] } });
    expect(decodeClusterMessage(gap).ok).toBe(true);
    const badGap = encode({ ...envelope, type: 15, data: { rooms: [1] } });
    expect(decodeClusterMessage(badGap)).toEqual({ ok: false, reason: "bad-data" });
  });

  it("round-trips every message type through msgpack, binary included", () => {
    for (const message of valid) {
      const result = decodeClusterMessage(encodeClusterMessage(message));
      expect(result).toEqual({
        ok: true,
        message: expect.objectContaining({ type: message.type }),
      });
    }
    const broadcast = decodeClusterMessage(encodeClusterMessage(valid[2] as ClusterMessage));
    expect(broadcast.ok && broadcast.message.type === MessageType.BROADCAST).toBe(true);
    if (broadcast.ok && broadcast.message.type === MessageType.BROADCAST) {
      expect(broadcast.message.data.packet?.data).toEqual(["ev", new Uint8Array([1, 2])]);
    }
  });

  it("carries an ArrayBuffer as an ArrayBuffer in event data, socket data and server-side emits", () => {
    const bytes = (): ArrayBuffer => new Uint8Array([7, 8, 9]).buffer;
    const messages: ClusterMessage[] = [
      {
        ...envelope,
        type: MessageType.BROADCAST,
        data: { opts, packet: { type: 5, nsp: "/", data: ["ev", { nested: [bytes()] }] } },
      },
      { ...envelope, type: MessageType.SERVER_SIDE_EMIT, data: { packet: ["ev", bytes()] } },
      {
        ...envelope,
        type: MessageType.FETCH_SOCKETS_RESPONSE,
        data: {
          requestId: "req",
          sockets: [{ id: "s", handshake: {} as never, rooms: ["s"], data: { key: bytes() } }],
        },
      },
    ];
    const found: unknown[] = [];
    for (const message of messages) {
      const result = decodeClusterMessage(encodeClusterMessage(message));
      if (!result.ok) throw new Error(result.reason);
      const decoded = result.message;
      if (decoded.type === MessageType.BROADCAST) {
        const data = decoded.data.packet?.data as [string, { nested: unknown[] }] | undefined;
        found.push(data?.[1].nested[0]);
      } else if (decoded.type === MessageType.SERVER_SIDE_EMIT) {
        found.push(decoded.data.packet[1]);
      } else if (decoded.type === MessageType.FETCH_SOCKETS_RESPONSE) {
        const data = decoded.data.sockets[0]?.data as { key: unknown } | undefined;
        found.push(data?.key);
      }
    }
    expect(found).toHaveLength(3);
    for (const value of found) {
      expect(value).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(value as ArrayBuffer)]).toEqual([7, 8, 9]);
    }
  });

  it("decodes a peer's ArrayBuffer extension as a copy of its bytes, other extensions as before", () => {
    const ext = (type: number, data: number[]): Uint8Array =>
      new Uint8Array([0xc7, data.length, type, ...data]);
    const head = encode({
      ...envelope,
      type: MessageType.SERVER_SIDE_EMIT,
      data: { packet: ["ev", 0] },
    });
    // Replace the trailing 0 (a positive fixint) with the extension.
    const message = (extension: Uint8Array): Uint8Array =>
      new Uint8Array([...head.subarray(0, head.byteLength - 1), ...extension]);
    const result = decodeClusterMessage(message(ext(0, [1, 2, 3])));
    if (!result.ok || result.message.type !== MessageType.SERVER_SIDE_EMIT) throw new Error("no");
    const value = result.message.data.packet[1] as ArrayBuffer;
    expect(value).toBeInstanceOf(ArrayBuffer);
    // Its own buffer, exactly its bytes: it does not keep the message alive.
    expect(value.byteLength).toBe(3);
    const other = decodeClusterMessage(message(ext(5, [1])));
    expect(other.ok).toBe(true);
    const empty = decodeClusterMessage(message(ext(0, [])));
    expect(empty.ok && empty.message.type === MessageType.SERVER_SIDE_EMIT).toBe(true);
  });

  it("puts the protocol version on the wire and drops other versions", () => {
    const bytes = encode({ ...envelope, v: 2, type: 2 });
    expect(decodeClusterMessage(bytes)).toEqual({ ok: false, reason: "version" });
    const noVersion = encode({ uid: "u", nsp: "/", type: 2 });
    expect(decodeClusterMessage(noVersion)).toEqual({ ok: false, reason: "version" });
  });

  it("reports undecodable bytes, non-envelopes, unknown types and bad data without throwing", () => {
    expect(decodeClusterMessage(Uint8Array.from([0xc1]))).toEqual({
      ok: false,
      reason: "undecodable",
    });
    expect(decodeClusterMessage(new Uint8Array(0))).toEqual({ ok: false, reason: "undecodable" });
    expect(decodeClusterMessage(encode([1, 2]))).toEqual({ ok: false, reason: "not-an-envelope" });
    expect(decodeClusterMessage(encode({ ...envelope, type: 14 }))).toEqual({
      ok: false,
      reason: "unknown-type",
    });
    const bad = [
      { type: 1, data: { x: 1 } },
      { type: 3, data: { opts, packet: { type: 0, nsp: "/", data: [] } } },
      {
        type: 3,
        data: {
          opts: { ...opts, flags: { local: true } },
          packet: { type: 2, nsp: "/", data: ["e"] },
        },
      },
      {
        type: 3,
        data: {
          opts: { ...opts, flags: { timeout: "1" } },
          packet: { type: 2, nsp: "/", data: ["e"] },
        },
      },
      { type: 4, data: { opts, rooms: [1] } },
      { type: 6, data: { opts, close: "yes" } },
      { type: 8, data: { requestId: "r", sockets: [{ id: 1 }] } },
      { type: 9, data: { packet: [] } },
      { type: 11, data: { requestId: "r", clientCount: 1.5 } },
      { type: 12, data: { packet: 1 } },
    ];
    for (const message of bad) {
      expect(decodeClusterMessage(encode({ ...envelope, ...message }))).toEqual({
        ok: false,
        reason: "bad-data",
      });
    }
  });

  it("refuses headers that claim more elements or bytes than the message holds", () => {
    const hugeArray = Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const hugeString = Uint8Array.from([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61]);
    const hugeMap = Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61]);
    for (const bytes of [hugeArray, hugeString, hugeMap]) {
      expect(decodeClusterMessage(bytes)).toEqual({ ok: false, reason: "undecodable" });
    }
  });

  it("decodes messages of every size class, each with its own limits", () => {
    for (const length of [0, 60, 64, 65, 200, 5000, 70_000]) {
      const message: ClusterMessage = {
        ...envelope,
        type: MessageType.SERVER_SIDE_EMIT,
        data: { packet: ["ev", "x".repeat(length)] },
      };
      expect(decodeClusterMessage(encodeClusterMessage(message))).toEqual({ ok: true, message });
    }
  });

  it("recognises a node's own messages by their first bytes, and no one else's", () => {
    const own = senderPrefix(envelope.uid);
    const other = senderPrefix("fedcba9876543210");
    for (const message of valid) {
      const bytes = encodeClusterMessage(message);
      expect(hasSenderPrefix(bytes, own)).toBe(true);
      expect(hasSenderPrefix(bytes, other)).toBe(false);
    }
    const emitted = encodeClusterMessage({ ...valid[0], uid: "emitter" } as ClusterMessage);
    expect(hasSenderPrefix(emitted, own)).toBe(false);
    expect(hasSenderPrefix(own, own)).toBe(false);
    expect(hasSenderPrefix(Uint8Array.from([0x90, ...own]), own)).toBe(false);
  });

  it("never throws on random bytes", () => {
    for (let i = 0; i < 500; i++) {
      const bytes = new Uint8Array(Math.floor(Math.random() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(Math.random() * 256);
      expect(() => decodeClusterMessage(bytes)).not.toThrow();
    }
  });

  it("never throws on any msgpack value, envelope-shaped or not", () => {
    const envelopeLike = fc.record({
      v: fc.oneof(fc.constant(CLUSTER_PROTOCOL_VERSION), fc.anything()),
      uid: fc.oneof(fc.string(), fc.anything()),
      nsp: fc.oneof(fc.constant("/"), fc.anything()),
      type: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.anything()),
      data: fc.anything(),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), envelopeLike), (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encode(value);
        } catch {
          return; // not representable in msgpack: nothing a peer could send
        }
        const result = decodeClusterMessage(bytes);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("sends rooms and except as arrays and never the local flag", () => {
    const wire = toWireOptions({
      rooms: new Set(["a", "b"]),
      except: new Set(["c"]),
      flags: { local: true, volatile: true, timeout: 5 },
    });
    expect(wire).toEqual({
      rooms: ["a", "b"],
      except: ["c"],
      flags: { volatile: true, timeout: 5 },
    });
    expect(fromWireOptions(wire)).toEqual({
      rooms: new Set(["a", "b"]),
      except: new Set(["c"]),
      flags: { volatile: true, timeout: 5 },
    });
  });
});
