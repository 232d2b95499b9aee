import { MemoryHistory } from "@switchyard/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPC_ADAPTER_MARKER } from "../ipc/adapter-marker.js";
import { readWorkerMessage } from "../ipc/adapter-message.js";
import { answerHistory } from "./ipc-relay-history.js";

const request = (op: string, args: unknown[], id = 1): unknown => ({
  marker: IPC_ADAPTER_MARKER,
  kind: "history",
  id,
  nsp: "/",
  op,
  args,
});

/** Reads `value` as a worker message and answers it when it is a history request. */
function answer(history: MemoryHistory, value: unknown, delivered: unknown[] = []) {
  const read = readWorkerMessage(value);
  if (!read.ok || read.message.kind !== "history") return read;
  return answerHistory(history, read.message, (...args) => delivered.push(args));
}

describe("the relay's history requests", () => {
  it("appends, delivers with the position, and reads back", () => {
    const history = new MemoryHistory();
    const delivered: unknown[] = [];
    const payload = Buffer.from([1, 2, 3]).toString("base64");
    expect(
      answer(history, request("append", [{ kind: "room", room: "r" }, payload]), delivered),
    ).toMatchObject({ ok: true });
    expect(delivered).toEqual([
      ["/", { kind: "room", room: "r" }, payload, expect.objectContaining({ major: 1, minor: 0 })],
    ]);
    const read = answer(
      history,
      request("read", [[{ kind: "room", room: "r" }], { major: 0, minor: 0 }]),
    );
    expect(read).toMatchObject({
      ok: true,
      value: { ok: true, entries: [{ major: 1, minor: 0, payload }] },
    });
  });

  it("answers malformed arguments with an error, never a throw", () => {
    const history = new MemoryHistory();
    const bad: unknown[] = [
      request("append", [{ kind: "node", uid: "x" }, "AA=="]),
      request("append", [{ kind: "room" }, "AA=="]),
      request("append", [{ kind: "all" }, 5]),
      request("fence", [5, "AA=="]),
      request("read", [[{ kind: "node", uid: "u" }], { major: 0, minor: 0 }]),
      request("read", ["r", { major: 0, minor: 0 }]),
      request("read", [[], { major: -1, minor: 0 }]),
      request("save", ["owner", [{ pid: "p", value: 3, ttlMs: 1 }]]),
      request("save", ["owner", "nope"]),
      request("drop", ["owner", [1]]),
      request("claim", ["owner", "p", -5]),
      request("touch", [1, 1]),
      request("lastSeen", [null]),
    ];
    for (const value of bad)
      expect(answer(history, value)).toMatchObject({ ok: false, error: expect.any(String) });
    for (const value of [
      request("unknown", []),
      { ...(request("append", []) as object), args: "x" },
      { ...(request("open", []) as object), id: -1 },
    ]) {
      expect(answer(history, value)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("never throws on random history requests", () => {
    const history = new MemoryHistory();
    const ops = fc.constantFrom(
      "open",
      "append",
      "fence",
      "read",
      "save",
      "drop",
      "peek",
      "claim",
      "touch",
      "lastSeen",
    );
    fc.assert(
      fc.property(ops, fc.array(fc.anything(), { maxLength: 4 }), (op, args) => {
        expect(() => answer(history, request(op, args))).not.toThrow();
      }),
    );
  });
});

describe("the workers' reading of history replies and ordered deliveries", () => {
  const marker = IPC_ADAPTER_MARKER;
  it("accepts well-formed ones and refuses the others as malformed", async () => {
    const { readRelayMessage } = await import("../ipc/adapter-message.js");
    expect(
      readRelayMessage({ marker, kind: "history-reply", id: 3, ok: true, value: null }).ok,
    ).toBe(true);
    const position = { epoch: "e", major: 1, minor: 0 };
    expect(
      readRelayMessage({ marker, kind: "deliver", topic: "t", payload: "", position }).ok,
    ).toBe(true);
    for (const bad of [
      { marker, kind: "history-reply", id: "3", ok: true },
      { marker, kind: "history-reply", id: 3, ok: "yes" },
      { marker, kind: "history-reply", id: 3, ok: false, error: 5 },
      {
        marker,
        kind: "deliver",
        topic: "t",
        payload: "",
        position: { epoch: 1, major: 1, minor: 0 },
      },
      {
        marker,
        kind: "deliver",
        topic: "t",
        payload: "",
        position: { epoch: "e", major: -1, minor: 0 },
      },
    ]) {
      expect(readRelayMessage(bad)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
