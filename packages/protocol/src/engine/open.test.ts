import { describe, expect, it } from "vitest";
import { ProtocolErrorCode } from "../errors.js";
import { type EngineOpenPacket, encodeOpenPacket, parseOpenPacket } from "./open.js";

const DEFAULT_OPEN = `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`;

const handshake: EngineOpenPacket = {
  sid: "lv_VI97HAXpY6yYWAAAC",
  upgrades: ["websocket"],
  pingInterval: 25000,
  pingTimeout: 20000,
  maxPayload: 1000000,
};

describe("encodeOpenPacket", () => {
  it("writes the polling handshake body of docs/protocol.md §1.3 with the default timings", () => {
    expect(encodeOpenPacket(handshake)).toBe(DEFAULT_OPEN);
  });

  it("keeps the key order and drops extra properties whatever the input object looks like", () => {
    const shuffled = {
      maxPayload: 1000000,
      extra: true,
      pingTimeout: 20000,
      pingInterval: 25000,
      upgrades: ["websocket"],
      sid: "lv_VI97HAXpY6yYWAAAC",
    };
    expect(encodeOpenPacket(shuffled)).toBe(DEFAULT_OPEN);
  });

  it("writes an empty upgrades list for a WebSocket-only session", () => {
    expect(encodeOpenPacket({ ...handshake, upgrades: [] })).toContain(`"upgrades":[]`);
  });
});

describe("parseOpenPacket", () => {
  it("reads the JSON data of the open packet back into the handshake", () => {
    expect(parseOpenPacket(DEFAULT_OPEN.slice(1))).toEqual({ ok: true, value: handshake });
  });

  it("also accepts the whole frame with its leading 0", () => {
    expect(parseOpenPacket(DEFAULT_OPEN)).toEqual({ ok: true, value: handshake });
  });

  it("accepts an open packet without maxPayload (python-engineio < 4.4): no limit", () => {
    const data = `{"sid":"a","upgrades":["websocket"],"pingTimeout":20000,"pingInterval":25000}`;
    expect(parseOpenPacket(data)).toEqual({
      ok: true,
      value: { sid: "a", upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000 },
    });
    const withNull = `{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":null}`;
    expect(parseOpenPacket(withNull)).toEqual({
      ok: true,
      value: { sid: "a", upgrades: [], pingInterval: 1, pingTimeout: 1 },
    });
  });

  it("ignores extra keys and passes the upgrades on as sent (the client uses names it knows)", () => {
    const data = `{"sid":"a","upgrades":["websocket",1,"webtransport",null],"pingInterval":1,"pingTimeout":2,"maxPayload":3,"x":{"y":1}}`;
    expect(parseOpenPacket(data)).toEqual({
      ok: true,
      value: {
        sid: "a",
        upgrades: ["websocket", 1, "webtransport", null],
        pingInterval: 1,
        pingTimeout: 2,
        maxPayload: 3,
      },
    });
  });

  it.each([
    ["text that is not JSON", "{sid"],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["a missing pingTimeout", `{"sid":"a","upgrades":[],"pingInterval":1}`],
    ["a missing sid", `{"upgrades":[],"pingInterval":1,"pingTimeout":1}`],
    ["missing upgrades", `{"sid":"a","pingInterval":1,"pingTimeout":1}`],
    ["a numeric sid", `{"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":1}`],
    ["an empty sid", `{"sid":"","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":1}`],
    ["a string upgrades", `{"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1}`],
    [
      "a string pingInterval",
      `{"sid":"a","upgrades":[],"pingInterval":"1","pingTimeout":1,"maxPayload":1}`,
    ],
    [
      "a negative pingTimeout",
      `{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":-1,"maxPayload":1}`,
    ],
    [
      "a string maxPayload",
      `{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":"1e6"}`,
    ],
    [
      "a negative maxPayload",
      `{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":-1}`,
    ],
  ])("rejects %s with ENGINE_INVALID_OPEN_PACKET", (_label, data) => {
    const result = parseOpenPacket(data);
    expect(result.ok ? undefined : result.error.code).toBe(
      ProtocolErrorCode.ENGINE_INVALID_OPEN_PACKET,
    );
  });
});
