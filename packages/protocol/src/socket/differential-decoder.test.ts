// Differential test: our Decoder against the official socket.io-parser 4.2.7 on random and
// mutated input. Deliberate deviations are excluded by name below and asserted separately.

import fc from "fast-check";
import { Decoder as SioDecoder } from "socket.io-parser";
import { describe, expect, it } from "vitest";
import { ProtocolErrorCode } from "../errors.js";
import { Decoder, type DecoderResult } from "./decoder.js";

type Outcome = { ok: true; packet: unknown; pending: boolean } | { ok: false; code: string };

const C = ProtocolErrorCode;
/** Official error messages mapped to our codes (we split out RESERVED_EVENT_NAME). */
const officialCodes: Array<[RegExp, string[]]> = [
  [/^unknown packet type/, [C.UNKNOWN_PACKET_TYPE]],
  [/^illegal attachments/i, [C.ILLEGAL_ATTACHMENTS]],
  [/^too many attachments/, [C.TOO_MANY_ATTACHMENTS]],
  [/^invalid payload/, [C.INVALID_PAYLOAD, C.RESERVED_EVENT_NAME]],
];

function countOf(input: string): number {
  const match = /^[56](\d+)-/.exec(input);
  return match ? Number(match[1]) : 0;
}

function runOfficial(input: string): Outcome {
  const decoder = new SioDecoder();
  let packet: unknown;
  decoder.on("decoded", (p: unknown) => {
    packet = p;
  });
  try {
    decoder.add(input);
    const count = packet === undefined ? countOf(input) : 0;
    for (let i = 0; i < count; i++) decoder.add(Uint8Array.of(i));
    return { ok: true, packet, pending: packet === undefined };
  } catch (error) {
    const message = (error as Error).message;
    const entry = officialCodes.find(([pattern]) => pattern.test(message));
    return { ok: false, code: entry ? entry[0].source : `unmapped: ${message}` };
  }
}

function runOurs(input: string): Outcome {
  const decoder = new Decoder();
  const first = decoder.add(input);
  if (!first.ok) return { ok: false, code: first.error.code };
  if (first.packet) return { ok: true, packet: first.packet, pending: false };
  const count = countOf(input);
  let last: DecoderResult = first;
  for (let i = 0; i < count; i++) last = decoder.add(Uint8Array.of(i));
  if (!last.ok) return { ok: false, code: last.error.code };
  return { ok: true, packet: last.packet, pending: last.packet === undefined };
}

/**
 * Inputs where we differ on purpose (see the separate tests below):
 * - "" decodes as CONNECT in the official parser (Number("") is 0); we reject it;
 * - an attachment count that is not plain digits ("1.", "1e0"): the official accepts anything
 *   Number() maps to an integer ≥ 1, we accept plain digits only (both reject 0);
 * - a placeholder num that is not an integer: the official substitutes undefined, we reject.
 * Whitespace is left out of the alphabet: the official reads it as ack-id digits.
 */
function isDeliberateDeviation(input: string): boolean {
  if (input === "") return true;
  if (/^[56]/.test(input) && !/^[56]\d*-/.test(input)) return true;
  return /"num":-?\d*[.eE]/.test(input);
}

function expectSameOutcome(input: string): void {
  const official = runOfficial(input);
  const ours = runOurs(input);
  if (isDeliberateDeviation(input)) return;
  expect(ours.ok, input).toBe(official.ok);
  if (official.ok && ours.ok) {
    expect(ours.pending, input).toBe(official.pending);
    expect(ours.packet, input).toEqual(official.packet);
  } else if (!official.ok && !ours.ok) {
    const entry = officialCodes.find(([pattern]) => pattern.source === official.code);
    expect(entry?.[1], input).toContain(ours.code);
  }
}

const alphabet = [...'0123456789-/,[]{}":.aex_n'];
const chars = (max: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength: max });
const jsonish = fc.letrec((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: "j" },
    fc.integer({ min: -5, max: 50 }),
    chars(5),
    fc.constant(null),
    fc.constant({ _placeholder: true, num: 0 }),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(chars(3), tie("node"), { maxKeys: 2 }),
  ),
})).node;
const nsp = fc.constantFrom("", "/", "/admin,", "/a-b,", "/x");
const id = fc.constantFrom("", "0", "12", "007", "99999999999999999999");
const typePrefix = fc.constantFrom("0", "1", "2", "3", "4", "51-", "52-", "61-", "511-", "7", "x");
const header = fc.tuple(typePrefix, nsp, id).map(([type, space, ack]) => `${type}${space}${ack}`);
const structured = fc
  .tuple(header, fc.option(jsonish, { nil: undefined }))
  .map(([head, data]) => (data === undefined ? head : head + JSON.stringify(data)));

type Mutation = { at: number; op: "insert" | "delete" | "replace"; char: string };
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("insert", "delete", "replace"),
  char: fc.constantFrom(...alphabet),
}) as fc.Arbitrary<Mutation>;

function mutate(input: string, mutations: Mutation[]): string {
  let out = input;
  for (const { at, op, char } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === "insert") out = out.slice(0, i) + char + out.slice(i);
    else if (op === "delete") out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + char + out.slice(i + 1);
  }
  return out;
}

describe("Decoder against the official socket.io-parser 4.2.7", () => {
  it("accepts, rejects and decodes 2,000 structured packets as the official one does", () => {
    fc.assert(fc.property(structured, expectSameOutcome), { seed: 42, numRuns: 2000 });
  });

  it("agrees with the official decoder on 2,000 mutated packets", () => {
    const input = fc
      .tuple(structured, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([base, mutations]) => mutate(base, mutations));
    fc.assert(fc.property(input, expectSameOutcome), { seed: 42, numRuns: 2000 });
  });

  it("agrees with the official decoder on 2,000 random strings", () => {
    const input = fc.tuple(fc.constantFrom(..."0123456"), chars(12)).map(([t, rest]) => t + rest);
    fc.assert(fc.property(input, expectSameOutcome), { seed: 42, numRuns: 2000 });
  });
});

describe("Deliberate deviations from socket.io-parser 4.2.7", () => {
  it("rejects the empty string, which the official decodes as CONNECT", () => {
    expect(runOfficial("")).toMatchObject({ ok: true });
    expect(runOurs("")).toEqual({ ok: false, code: C.UNKNOWN_PACKET_TYPE });
  });

  it.each(['51.-["a"]', '51e0-["a"]', '5+1-["a"]'])(
    "rejects the non-digit attachment count in %s, which the official accepts",
    (input) => {
      expect(runOfficial(input).ok).toBe(true);
      expect(runOurs(input)).toEqual({ ok: false, code: C.ILLEGAL_ATTACHMENTS });
    },
  );

  it("rejects a non-integer placeholder num, which the official turns into undefined", () => {
    const input = '51-["a",{"_placeholder":true,"num":0.5}]';
    expect(runOfficial(input)).toMatchObject({ ok: true, packet: { data: ["a", undefined] } });
    expect(runOurs(input)).toEqual({ ok: false, code: C.ILLEGAL_ATTACHMENTS });
  });

  it("reports a reserved event name with its own code where the official says invalid payload", () => {
    expect(runOfficial('2["connect"]')).toEqual({ ok: false, code: "^invalid payload" });
    expect(runOurs('2["connect"]')).toEqual({ ok: false, code: C.RESERVED_EVENT_NAME });
  });

  it.each([" ", "\t", "\n", " /admin,", ' {"a":1}'])(
    "rejects %j, which starts with whitespace that the official reads as type 0 (CONNECT)",
    (input) => {
      expect(runOfficial(input)).toMatchObject({ ok: true, packet: { type: 0 } });
      expect(runOurs(input)).toEqual({ ok: false, code: C.UNKNOWN_PACKET_TYPE });
    },
  );

  it("does not read whitespace as ack-id digits, unlike the official", () => {
    expect(runOfficial('2 ["a"]')).toMatchObject({ ok: true, packet: { id: 0 } });
    expect(runOurs('2 ["a"]')).toMatchObject({ ok: true, packet: { id: undefined } });
  });
});
