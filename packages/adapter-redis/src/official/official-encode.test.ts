import { decode } from "@msgpack/msgpack";
import { type ClusterMessage, MessageType } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { encodeOfficial } from "./official-encode.js";
import { decodeOfficialBroadcast, decodeOfficialRequest } from "./official-message.js";

const limits = { maxBytes: 1_048_576, maxDepth: 64 };
const envelope = { v: 1, uid: "emitter", nsp: "/admin" } as const;
const opts = (rooms: string[], except: string[] = []) => ({ rooms, except, flags: {} });

describe("our Emitter in the official wire format", () => {
  it("publishes a one-room broadcast on the room's channel as [uid, packet, opts]", () => {
    const message: ClusterMessage = {
      ...envelope,
      type: MessageType.BROADCAST,
      data: { opts: opts(["r"], ["x"]), packet: { type: 2, nsp: "/admin", data: ["e", 1] } },
    };
    const { channel, payload } = encodeOfficial("app", message);
    expect(channel).toBe("app#/admin#r#");
    expect(decode(payload)).toEqual([
      "emitter",
      { type: 2, data: ["e", 1], nsp: "/admin" },
      { rooms: ["r"], flags: {}, except: ["x"] },
    ]);
    expect(decodeOfficialBroadcast(payload, limits)).toMatchObject({ ok: true });
  });

  it("sends several rooms to the namespace channel and requests as JSON on the request channel", () => {
    const broadcast: ClusterMessage = {
      ...envelope,
      type: MessageType.BROADCAST,
      data: { opts: opts(["a", "b"]), packet: { type: 2, nsp: "/admin", data: ["e"] } },
    };
    expect(encodeOfficial("app", broadcast).channel).toBe("app#/admin#");
    const requests: Array<[ClusterMessage, unknown]> = [
      [
        { ...envelope, type: MessageType.SOCKETS_JOIN, data: { opts: opts(["a"]), rooms: ["j"] } },
        { type: 2, opts: { rooms: ["a"], except: [] }, rooms: ["j"] },
      ],
      [
        { ...envelope, type: MessageType.SOCKETS_LEAVE, data: { opts: opts([]), rooms: ["j"] } },
        { type: 3, opts: { rooms: [], except: [] }, rooms: ["j"] },
      ],
      [
        {
          ...envelope,
          type: MessageType.DISCONNECT_SOCKETS,
          data: { opts: opts([]), close: true },
        },
        { type: 4, opts: { rooms: [], except: [] }, close: true },
      ],
      [
        { ...envelope, type: MessageType.SERVER_SIDE_EMIT, data: { packet: ["sse", 2] } },
        { uid: "emitter", type: 6, data: ["sse", 2] },
      ],
    ];
    for (const [message, wire] of requests) {
      const { channel, payload } = encodeOfficial("app", message);
      expect(channel).toBe("app-request#/admin#");
      expect(JSON.parse(payload.toString())).toEqual(wire);
      expect(decodeOfficialRequest(payload, limits)).toMatchObject({ ok: true });
    }
  });
});
