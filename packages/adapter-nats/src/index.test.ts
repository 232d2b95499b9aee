import type { NatsConnection } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import * as api from "./index.js";

describe("@switchyard/adapter-nats public API", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(api).sort()).toEqual([
      "BroadcastEmitter",
      "DEFAULT_PREFIX",
      "Emitter",
      "NatsAdapter",
      "NatsAdapterError",
      "NatsAdapterErrorCode",
      "createAdapter",
      "encodeToken",
      "historyNames",
      "historySubjectFor",
      "subjectFor",
      "version",
    ]);
  });

  it("refuses a prefix that is not dot-separated subject tokens, before any namespace exists", () => {
    const nc = { isClosed: () => false } as unknown as NatsConnection;
    for (const prefix of ["app.*", "app.>", "my app", "", "a..b"]) {
      expect(() => api.createAdapter(nc, { prefix })).toThrow(
        expect.objectContaining({ code: "SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT" }),
      );
    }
    expect(typeof api.createAdapter(nc, { prefix: "chat.prod" })).toBe("function");
  });
});
