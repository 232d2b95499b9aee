// Hostile input on the official emitters' channels: garbage bytes, wrong shapes, reserved events,
// huge nesting and oversized messages published raw. Each is dropped and counted by reason; the
// nodes stay up, keep serving their clients and take new ones.
import { randomBytes } from "node:crypto";
import { Encoder } from "@msgpack/msgpack";
import {
  officialBroadcastChannel,
  officialRequestChannel,
  type RedisAdapter,
} from "@switchyard/adapter-redis";
import { waitUntil } from "@switchyard/server/testing";
import { afterEach, describe, expect, inject, it } from "vitest";
import { REDIS_LIBRARIES } from "./redis-bus.js";
import { type Cluster, startCluster } from "./support/official-emitter-nodes.js";

const url = inject("redisUrl");
const msgpack = (value: unknown): Buffer => Buffer.from(new Encoder().encode(value));
const DEPTH = 100_000;

/** Garbage for the broadcast channel, each with the reason it must be dropped for. */
const BROADCASTS: Array<[string, Buffer]> = [
  ["undecodable", Buffer.from([0xc1])],
  ["undecodable", Buffer.from([0x93, 0xa1])],
  ["undecodable", Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0])],
  ["bad-shape", msgpack({})],
  ["bad-shape", msgpack([1, 2, 3])],
  ["bad-shape", msgpack(["u", { type: 2, data: "x" }])],
  ["bad-shape", msgpack(["u", { type: 2, data: [1] }])],
  ["bad-shape", msgpack(["u", { type: 2, data: ["e"] }, { rooms: [{}] }])],
  ["unsupported-type", msgpack(["u", { type: 3, data: ["e"] }])],
  ["reserved-event", msgpack(["u", { type: 2, data: ["connect"] }])],
  ["too-deep", Buffer.concat([Buffer.alloc(DEPTH, 0x91), Buffer.from([0xc0])])],
  ["too-large", msgpack(["u", { type: 2, data: ["e", "x".repeat(300_000)] }])],
];

/** Garbage for the request channel. */
const REQUESTS: Array<[string, Buffer]> = [
  ["undecodable", Buffer.from("{not json")],
  ["unsupported-type", Buffer.from('{"type":99}')],
  ["unsupported-type", msgpack({ type: 7, requestId: "x" })],
  ["bad-shape", Buffer.from('{"type":2,"opts":{"rooms":"x"},"rooms":[]}')],
  ["bad-shape", Buffer.from('{"type":6,"data":[]}')],
  ["bad-shape", Buffer.from('{"type":4,"opts":{},"close":"yes"}')],
  [
    "too-deep",
    Buffer.from(`{"type":2,"opts":${"[".repeat(DEPTH / 2)}${"]".repeat(DEPTH / 2)},"rooms":[]}`),
  ],
];

function tally(entries: Array<[string, Buffer]>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [reason] of entries) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

describe.skipIf(url === undefined)("hostile input on the official emitters' channels", () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  for (const library of REDIS_LIBRARIES) {
    it(`drops and counts every malformed message, and keeps serving (${library})`, async () => {
      const key = `sy-hostile-${randomBytes(4).toString("hex")}`;
      cluster = await startCluster(url ?? "", library, "@socket.io/redis-emitter", key, {
        officialEmitters: { maxMessageBytes: 200_000 },
      });
      const { nodes, emitter, connect, settle, raw } = cluster;
      const [a, b] = nodes;
      const a1 = await connect(a, ["r1"]);
      const b1 = await connect(b, []);
      await settle([a1, b1]);
      const before = [a, b].map((node) => node.adapter().counters.dropped);
      for (const [, bytes] of BROADCASTS) {
        await raw.publish(officialBroadcastChannel(key, "/"), bytes);
      }
      // Room channels: decoded only where the room has members (node a).
      await raw.publish(officialBroadcastChannel(key, "/", "r1"), Buffer.from([0xc1]));
      await raw.publish(officialBroadcastChannel(key, "/", "nobody"), Buffer.from([0xc1]));
      for (const [, bytes] of REQUESTS) await raw.publish(officialRequestChannel(key, "/"), bytes);
      emitter.emit("still", 1);
      await waitUntil(
        () => a1.names().includes("still") && b1.names().includes("still"),
        "a valid message after the garbage",
      );
      const expected = tally([...BROADCASTS, ...REQUESTS]);
      const reasons = (adapter: RedisAdapter): Record<string, number> =>
        Object.fromEntries(
          Object.entries(adapter.officialEmitters?.droppedByReason ?? {}).filter(([, n]) => n > 0),
        );
      expect(reasons(b.adapter())).toEqual(expected);
      expect(reasons(a.adapter())).toEqual({
        ...expected,
        undecodable: (expected["undecodable"] ?? 0) + 1,
      });
      const total = BROADCASTS.length + REQUESTS.length;
      expect(a.adapter().officialEmitters?.dropped).toBe(total + 1);
      expect(b.adapter().counters.dropped - (before[1] ?? 0)).toBe(total);
      // Nothing reached the clients but the valid events; the nodes take new clients.
      expect(a1.names()).toEqual(["still"]);
      const late = await connect(b, ["r1"]);
      emitter.to("r1").emit("after", 2);
      await waitUntil(
        () => late.names().includes("after") && a1.names().includes("after"),
        "after",
      );
    });
  }

  it("counts official-format messages in the server's bus metrics", async () => {
    const key = `sy-hostile-${randomBytes(4).toString("hex")}`;
    const metrics = { metrics: true };
    cluster = await startCluster(
      url ?? "",
      "ioredis",
      "@socket.io/redis-emitter",
      key,
      {},
      metrics,
    );
    const { nodes, emitter, connect, settle, raw } = cluster;
    const peer = await connect(nodes[0], []);
    await settle([peer]);
    const scrape = async (): Promise<{ received: number; dropped: number }> => {
      const text = await (await fetch(`${nodes[0].url}/metrics`)).text();
      const value = (name: string): number =>
        Number(new RegExp(`^${name} (\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
      return {
        received: value("switchyard_bus_received_total"),
        dropped: value("switchyard_bus_dropped_total"),
      };
    };
    const before = await scrape();
    await raw.publish(officialBroadcastChannel(key, "/"), Buffer.from([0xc1]));
    emitter.emit("counted");
    await waitUntil(() => peer.names().includes("counted"), "the valid message");
    const after = await scrape();
    expect(after.dropped - before.dropped).toBe(1);
    expect(after.received - before.received).toBeGreaterThanOrEqual(1);
    expect(nodes[0].adapter().officialEmitters?.droppedByReason.undecodable).toBe(1);
  });
});
