import { createServer } from "node:http";
import { Server } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { StickyError, StickyErrorCode } from "../errors.js";
import { setupWorker } from "./worker.js";

describe("setupWorker", () => {
  it("refuses to run in a process that setupPrimary() did not fork", () => {
    expect(() => setupWorker(createServer())).toThrow(StickyError);
    expect(() => setupWorker(createServer())).toThrow(
      expect.objectContaining({ code: StickyErrorCode.WRONG_PROCESS }),
    );
  });

  it("refuses a Socket.IO Server that is not attached to an HTTP server yet", () => {
    const io = new Server();
    expect(() => setupWorker(io)).toThrow(
      expect.objectContaining({ code: StickyErrorCode.INVALID_ARGUMENT }),
    );
  });
});
