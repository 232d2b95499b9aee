// Node's EventEmitter internals that listener-table.ts relies on. If a Node release renames
// `_events` or stops accepting an unset or replaced table, these fail before any memory
// saving silently turns into a broken emitter.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { compactListenerTable, deferListenerTable } from "./listener-table.js";

type Internals = { _events?: unknown; _eventsCount?: unknown };

/** Every public listener operation, checked on `emitter`. */
function exerciseListeners(emitter: EventEmitter): void {
  const calls: unknown[] = [];
  const first = (value: unknown): void => {
    calls.push(["first", value]);
  };
  const second = (value: unknown): void => {
    calls.push(["second", value]);
  };
  expect(emitter.emit("data", 0)).toBe(false);
  expect(emitter.listenerCount("data")).toBe(0);
  expect(emitter.eventNames()).toEqual([]);
  emitter.on("data", first);
  emitter.once("data", second);
  emitter.on("other", first);
  expect(emitter.listenerCount("data")).toBe(2);
  expect(emitter.listeners("data")).toEqual([first, second]);
  expect(emitter.eventNames()).toEqual(["data", "other"]);
  expect(emitter.emit("data", 1)).toBe(true);
  expect(emitter.emit("data", 2)).toBe(true);
  expect(calls).toEqual([
    ["first", 1],
    ["second", 1],
    ["first", 2],
  ]);
  emitter.off("data", first);
  expect(emitter.emit("data", 3)).toBe(false);
  emitter.removeAllListeners();
  expect(emitter.eventNames()).toEqual([]);
  expect(() => emitter.emit("error", new Error("unhandled"))).toThrow("unhandled");
}

describe("Node's EventEmitter listener table", () => {
  it("is the own property _events, counted in _eventsCount, holding the listeners by name", () => {
    const emitter = new EventEmitter() as EventEmitter & Internals;
    expect(Object.hasOwn(emitter, "_events")).toBe(true);
    expect(emitter._eventsCount).toBe(0);
    const listener = (): void => {};
    emitter.on("data", listener);
    expect((emitter._events as Record<string, unknown>)["data"]).toBe(listener);
    expect(emitter._eventsCount).toBe(1);
  });

  it("may be unset: it is created on the first listener and everything works", () => {
    const emitter = new EventEmitter() as EventEmitter & Internals;
    deferListenerTable(emitter);
    expect(emitter._events).toBeUndefined();
    expect(emitter.listenerCount("data")).toBe(0);
    emitter.removeListener("data", () => {});
    expect(emitter._events).toBeUndefined();
    exerciseListeners(emitter);
    expect(typeof emitter._events).toBe("object");
  });

  it("may be a prototype-less object of ours: listeners are added to that very object", () => {
    const emitter = new EventEmitter() as EventEmitter & Internals;
    compactListenerTable(emitter);
    const table = emitter._events;
    expect(Object.getPrototypeOf(table)).toBeNull();
    emitter.on("data", () => {});
    emitter.on("other", () => {});
    expect(emitter._events).toBe(table);
    expect(Object.keys(table as object)).toEqual(["data", "other"]);
    emitter.removeAllListeners();
    exerciseListeners(emitter);
  });

  it("works for every listener operation when it starts as a prototype-less object of ours", () => {
    const emitter = new EventEmitter() as EventEmitter & Internals;
    compactListenerTable(emitter);
    exerciseListeners(emitter);
  });

  it("keeps a subclass's own emit() override working with an unset table", () => {
    const seen: string[] = [];
    class Routed extends EventEmitter {
      constructor() {
        super();
        deferListenerTable(this);
      }
      override emit(event: string | symbol, ...args: unknown[]): boolean {
        seen.push(String(event));
        return this.listenerCount(event) > 0 && super.emit(event, ...args);
      }
    }
    const routed = new Routed();
    expect(routed.emit("close")).toBe(false);
    routed.once("close", () => seen.push("listener"));
    expect(routed.emit("close")).toBe(true);
    expect(seen).toEqual(["close", "close", "listener"]);
  });
});
