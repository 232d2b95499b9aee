// The session store of the NATS history (a KV bucket, every write a compare-and-set) against a
// real nats-server of each build: owner-conditional writes and drops, restore-once claims,
// expiry, signs of life, and a bucket lost and made again.
import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { waitUntil } from "@switchyard/server/testing";
import { afterEach, describe, expect, inject, it } from "vitest";
import { HistoryStream } from "../../packages/adapter-nats/src/history-stream.js";
import { KvSessionStore } from "../../packages/adapter-nats/src/session-store.js";
import { deleteStream } from "./support/jetstream-api.js";

const servers: Array<[string, string | undefined]> = [
  ["distribution nats-server", inject("natsUrl")],
  ["current nats-server", inject("natsCurrentUrl")],
];

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

for (const [name, url] of servers) {
  describe.skipIf(url === undefined)(`session store in a KV bucket: ${name}`, () => {
    const opened: Array<{ nc: NatsConnection; stream: HistoryStream }> = [];
    afterEach(async () => {
      for (const { nc, stream } of opened.splice(0)) {
        stream.release();
        await nc.close();
      }
    });

    const store = async () => {
      const nc = await connect({ servers: url ?? "" });
      const prefix = `sy-store-${randomBytes(4).toString("hex")}`;
      const stream = new HistoryStream(nc, prefix, {}, () => true);
      opened.push({ nc, stream });
      await stream.open(60_000);
      const sessions = new KvSessionStore(
        { open: () => stream.sessions(), lost: () => stream.bucketLost() },
        "/",
      );
      return { nc, stream, sessions };
    };

    it("writes and drops a record only for its owner, and lets one claim take it", async () => {
      const { sessions } = await store();
      await sessions.save("node-a", [{ pid: "p1", value: bytes("a1"), ttlMs: 60_000 }]);
      expect(await sessions.peek("p1")).toEqual(bytes("a1"));
      await sessions.save("node-b", [{ pid: "p1", value: bytes("b1"), ttlMs: 60_000 }]);
      await sessions.drop("node-b", ["p1"]);
      expect(await sessions.peek("p1")).toEqual(bytes("a1"));
      await sessions.save("node-a", [{ pid: "p1", value: bytes("a2"), ttlMs: 60_000 }]);
      // Two restores race for it: exactly one gets it.
      const claims = await Promise.all([
        sessions.claim("node-c", "p1", 60_000),
        sessions.claim("node-d", "p1", 60_000),
      ]);
      expect(claims.filter((claim) => claim !== undefined)).toEqual([bytes("a2")]);
      expect(await sessions.claim("node-c", "p1", 60_000)).toBeUndefined();
      expect(await sessions.peek("p1")).toBeUndefined();
      // The former owner's late writes and drops change nothing any more.
      await sessions.save("node-a", [{ pid: "p1", value: bytes("late"), ttlMs: 60_000 }]);
      await sessions.drop("node-a", ["p1"]);
      expect(await sessions.peek("p1")).toBeUndefined();
      // The winner writes it again as its own, then drops it.
      const winner = claims[0] === undefined ? "node-d" : "node-c";
      await sessions.save(winner, [{ pid: "p1", value: bytes("w"), ttlMs: 60_000 }]);
      expect(await sessions.peek("p1")).toEqual(bytes("w"));
      await sessions.drop(winner, ["p1"]);
      expect(await sessions.peek("p1")).toBeUndefined();
      expect(await sessions.claim("node-c", "p1", 60_000)).toBeUndefined();
    });

    it("forgets expired records, keeps signs of life, and takes any pid as a key", async () => {
      const { sessions } = await store();
      const odd = "a.b *>/ é\u0000";
      await sessions.save("node-a", [
        { pid: "short", value: bytes("s"), ttlMs: 1 },
        { pid: odd, value: bytes("odd"), ttlMs: 60_000 },
      ]);
      await waitUntil(async () => (await sessions.peek("short")) === undefined, "it expired");
      expect(await sessions.claim("node-b", "short", 60_000)).toBeUndefined();
      expect(await sessions.peek(odd)).toEqual(bytes("odd"));
      const before = Date.now();
      await sessions.touch("node-a", 60_000);
      expect(await sessions.lastSeen("node-a")).toBeGreaterThanOrEqual(before);
      expect(await sessions.lastSeen("node-z")).toBeUndefined();
    });

    it("makes the bucket again when it is lost: nothing found, then written anew", async () => {
      const { nc, stream, sessions } = await store();
      await sessions.save("node-a", [{ pid: "p", value: bytes("v"), ttlMs: 60_000 }]);
      await deleteStream(nc, `KV_${stream.names.bucket}`);
      expect(await sessions.peek("p")).toBeUndefined();
      await sessions.save("node-a", [{ pid: "p", value: bytes("v2"), ttlMs: 60_000 }]);
      expect(await sessions.peek("p")).toEqual(bytes("v2"));
    });
  });
}
