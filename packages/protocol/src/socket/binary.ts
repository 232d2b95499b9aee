// Binary attachments: find binary in event data, swap it for placeholders (encode) and back (decode).
// Placeholders are `{"_placeholder":true,"num":N}`, numbered depth-first (docs/protocol.md §2.3).

import { type BinaryData, isBinary } from "../binary/binary-data.js";
import { CODE_ILLEGAL_ATTACHMENTS, CODE_TOO_DEEP, ProtocolError } from "../errors.js";

/** Nesting the encoder-side walks accept before they call the data circular or too deep. */
export const ENCODE_MAX_DEPTH = 1000;

type JsonSource = { toJSON: () => unknown };

function hasToJson(value: object): value is JsonSource {
  return typeof (value as Partial<JsonSource>).toJSON === "function";
}

function tooDeep(maxDepth: number): TypeError {
  return new TypeError(`data is circular or deeper than ${maxDepth}`);
}

/**
 * True when `data` holds an ArrayBuffer, a view, or a Blob at any depth. Like the official
 * parser it follows `toJSON()` (once per level).
 * @throws TypeError when the data nests deeper than `maxDepth` (circular data does).
 */
export function hasBinary(data: unknown, maxDepth: number = ENCODE_MAX_DEPTH): boolean {
  return walkHasBinary(data, maxDepth, 0, true);
}

const objectPrototype = Object.prototype;

// Hot path of every emit: children that are primitives are skipped without a call, and plain
// objects (prototype Object.prototype or null) skip the three binary instanceof checks.
function walkHasBinary(value: unknown, maxDepth: number, depth: number, toJson: boolean): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth >= maxDepth) throw tooDeep(maxDepth);
  if (Array.isArray(value)) return arrayHasBinary(value, maxDepth, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== objectPrototype && proto !== null && isBinary(value)) return true;
  if (toJson && hasToJson(value)) return walkHasBinary(value.toJSON(), maxDepth, depth, false);
  return propertiesHaveBinary(value as Record<string, unknown>, maxDepth, depth);
}

function arrayHasBinary(array: unknown[], maxDepth: number, depth: number): boolean {
  for (let i = 0; i < array.length; i++) {
    const item: unknown = array[i];
    if (typeof item === "object" && item !== null) {
      if (walkHasBinary(item, maxDepth, depth + 1, true)) return true;
    }
  }
  return false;
}

function propertiesHaveBinary(
  object: Record<string, unknown>,
  maxDepth: number,
  depth: number,
): boolean {
  for (const key in object) {
    const item: unknown = object[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(object, key)) {
      if (walkHasBinary(item, maxDepth, depth + 1, true)) return true;
    }
  }
  return false;
}

/**
 * Sets `target[key]` as an own data property, as JSON.parse or Object.fromEntries would, where a
 * plain assignment to "__proto__" would swap the object's prototype instead.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/**
 * Returns a copy of `data` with every binary value replaced by a placeholder, pushing the
 * binaries onto `buffers` in depth-first order. Dates are left for JSON.stringify.
 * @throws TypeError when the data is circular or nests deeper than `maxDepth`.
 */
export function deconstructData(
  data: unknown,
  buffers: BinaryData[],
  maxDepth: number = ENCODE_MAX_DEPTH,
): unknown {
  return walkDeconstruct(data, buffers, maxDepth, 0, true);
}

function walkDeconstruct(
  value: unknown,
  buffers: BinaryData[],
  maxDepth: number,
  depth: number,
  toJson: boolean,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= maxDepth) throw tooDeep(maxDepth);
  if (isBinary(value)) {
    const placeholder = { _placeholder: true, num: buffers.length };
    buffers.push(value);
    return placeholder;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      copy[i] = walkDeconstruct(value[i], buffers, maxDepth, depth + 1, true);
    }
    return copy;
  }
  if (value instanceof Date) return value;
  if (toJson && hasToJson(value)) {
    return walkDeconstruct(value.toJSON(), buffers, maxDepth, depth, false);
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) {
      const item = (value as Record<string, unknown>)[key];
      setOwn(copy, key, walkDeconstruct(item, buffers, maxDepth, depth + 1, true));
    }
  }
  return copy;
}

/**
 * Replaces, in place, every placeholder in decoded `data` with its attachment.
 * @throws ProtocolError ILLEGAL_ATTACHMENTS (bad `num`) or TOO_DEEP; the Decoder catches both.
 */
export function reconstructData(
  data: unknown,
  buffers: readonly BinaryData[],
  maxDepth: number,
): unknown {
  return walkReconstruct(data, buffers, maxDepth, 1);
}

type PlaceholderLike = Record<string, unknown> & { _placeholder?: unknown; num?: unknown };

function walkReconstruct(
  value: unknown,
  buffers: readonly BinaryData[],
  maxDepth: number,
  depth: number,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > maxDepth) {
    throw new ProtocolError(CODE_TOO_DEEP, "too deep");
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null) {
        value[i] = walkReconstruct(item, buffers, maxDepth, depth + 1);
      }
    }
    return value;
  }
  const record = value as PlaceholderLike;
  if (record._placeholder === true) return resolvePlaceholder(record.num, buffers);
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === "object" && item !== null) {
      const next = walkReconstruct(item, buffers, maxDepth, depth + 1);
      if (next !== item) setOwn(record, key, next);
    }
  }
  return value;
}

function resolvePlaceholder(num: unknown, buffers: readonly BinaryData[]): BinaryData {
  const buffer = typeof num === "number" && Number.isInteger(num) ? buffers[num] : undefined;
  if (buffer === undefined) {
    throw new ProtocolError(CODE_ILLEGAL_ATTACHMENTS, "illegal attachments");
  }
  return buffer;
}
