import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { StickyError, StickyErrorCode } from "./errors.js";
import { setupWorker } from "./worker.js";

describe("setupWorker", () => {
  it("refuses to run in a process that setupPrimary() did not fork", () => {
    expect(() => setupWorker(createServer())).toThrow(StickyError);
    expect(() => setupWorker(createServer())).toThrow(
      expect.objectContaining({ code: StickyErrorCode.WRONG_PROCESS }),
    );
  });
});
