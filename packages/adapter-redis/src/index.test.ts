import { describe, expect, it } from "vitest";
import type { RedisClient } from "./clients/wrap.js";
import { createAdapter } from "./index.js";

describe("createAdapter", () => {
  it("refuses one client as both pub and sub (a subscriber connection cannot publish)", () => {
    const client = { on: () => client } as unknown as RedisClient;
    expect(() => createAdapter(client, client)).toThrow(
      expect.objectContaining({ code: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT" }),
    );
  });

  it("refuses bad officialEmitters limits up front", () => {
    const pub = { on: () => pub } as unknown as RedisClient;
    const sub = { on: () => sub } as unknown as RedisClient;
    for (const officialEmitters of [
      { maxDepth: 0 },
      { maxDepth: 100_000 },
      { maxMessageBytes: -1 },
    ]) {
      expect(() => createAdapter(pub, sub, { officialEmitters })).toThrow(
        expect.objectContaining({ code: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT" }),
      );
    }
    expect(() => createAdapter(pub, sub, { officialEmitters: { maxDepth: 512 } })).not.toThrow();
  });
});
