import type { Packet } from "@switchyard/protocol";
import { Encoder } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace, BroadcastOptions } from "../adapter/adapter.js";
import { Adapter } from "../adapter/in-memory.js";
import { BroadcastOperator } from "./operator.js";

class RecordingAdapter extends Adapter {
  readonly calls: Array<{ packet: Packet; opts: BroadcastOptions }> = [];
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    this.calls.push({ packet, opts });
  }
}

function adapter(): RecordingAdapter {
  const encoder = new Encoder();
  const nsp: AdapterNamespace = {
    name: "/",
    sockets: new Map(),
    encoder,
    recovery: undefined,
    nextAckId: () => 0,
    onServerSideEmit: () => undefined,
  };
  return new RecordingAdapter(nsp);
}

describe("BroadcastOperator", () => {
  it("returns a new operator from every modifier and leaves the original untouched", () => {
    const a = adapter();
    const base = new BroadcastOperator(a);
    const derived = [
      base.to("r"),
      base.in(["r", "s"]),
      base.except("x"),
      base.compress(false),
      base.volatile,
      base.local,
      base.timeout(10),
    ];
    for (const op of derived) expect(op).not.toBe(base);
    base.emit("e");
    expect(a.calls[0]?.opts).toEqual({ rooms: new Set(), except: new Set(), flags: {} });
  });

  it("accumulates rooms, except rooms and flags along a chain", () => {
    const a = adapter();
    new BroadcastOperator(a)
      .to("a")
      .to(["b", "a"])
      .except("c")
      .volatile.compress(true)
      .local.emit("e", 1);
    expect(a.calls[0]?.opts).toEqual({
      rooms: new Set(["a", "b"]),
      except: new Set(["c"]),
      flags: { volatile: true, compress: true, local: true },
    });
    expect(a.calls[0]?.packet.data).toEqual(["e", 1]);
  });

  it("does not let a later chain change an earlier one's rooms", () => {
    const a = adapter();
    const room = new BroadcastOperator(a).to("a");
    room.to("b");
    room.emit("e");
    expect(a.calls[0]?.opts.rooms).toEqual(new Set(["a"]));
  });

  it("throws on reserved event names", () => {
    const op = new BroadcastOperator(adapter());
    expect(() => op.emit("disconnecting")).toThrow('"disconnecting" is a reserved event name');
  });

  it("acks at once with an empty list when no socket is targeted", async () => {
    const op = new BroadcastOperator(new Adapter(adapter().nsp));
    const result = await new Promise((resolve) =>
      op.timeout(10_000).emit("e", (err: unknown, responses: unknown) => resolve([err, responses])),
    );
    expect(result).toEqual([null, []]);
  });
});
