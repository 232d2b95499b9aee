// Official adapters' createAdapter() results are accepted as the `adapter` option as they are
// typed (for socket.io), without casts.
import { createAdapter as postgresAdapter } from "@socket.io/postgres-adapter";
import { createAdapter as redisStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { type AdapterConstructor, Server } from "@switchyard/server";
import type { Redis } from "ioredis";
import type pg from "pg";
import { Adapter, SessionAwareAdapter } from "socket.io-adapter";
import { describe, expectTypeOf, it } from "vitest";

declare const redis: Redis;
declare const pool: pg.Pool;

describe("official adapter typings", () => {
  it("accepts their factories as the adapter option and in io.adapter()", () => {
    expectTypeOf(redisStreamsAdapter(redis)).toExtend<AdapterConstructor>();
    expectTypeOf(postgresAdapter(pool)).toExtend<AdapterConstructor>();
    const io = new Server({ adapter: redisStreamsAdapter(redis) });
    expectTypeOf(io.adapter(postgresAdapter(pool))).toEqualTypeOf<Server>();
  });

  it("accepts socket.io-adapter's own classes", () => {
    expectTypeOf(new Server({ adapter: Adapter })).toEqualTypeOf<Server>();
    expectTypeOf(new Server({ adapter: SessionAwareAdapter })).toEqualTypeOf<Server>();
  });
});
