import { describe, expect, it } from "vitest";
import { readIpcMessage, STICKY_IPC_MARKER } from "./worker-message.js";

describe("readIpcMessage", () => {
  it("reads each sticky message kind", () => {
    expect(readIpcMessage({ marker: STICKY_IPC_MARKER, kind: "ready", nodeId: "h-w1" })).toEqual({
      marker: STICKY_IPC_MARKER,
      kind: "ready",
      nodeId: "h-w1",
    });
    expect(readIpcMessage({ marker: STICKY_IPC_MARKER, kind: "upgrade", head: "R0VU" })?.kind).toBe(
      "upgrade",
    );
    expect(readIpcMessage({ marker: STICKY_IPC_MARKER, kind: "released" })?.kind).toBe("released");
  });

  it("leaves the application's own messages and malformed ones alone", () => {
    for (const value of [
      null,
      undefined,
      "ready",
      42,
      { kind: "ready", nodeId: "x" },
      { marker: STICKY_IPC_MARKER, kind: "ready" },
      { marker: STICKY_IPC_MARKER, kind: "upgrade", head: 1 },
      { marker: STICKY_IPC_MARKER, kind: "other" },
      { marker: "switchyard:adapter", kind: "released" },
    ]) {
      expect(readIpcMessage(value)).toBeUndefined();
    }
  });
});
