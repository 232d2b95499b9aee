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
});
