// Values as they travel between the tests and the peers: JSON, with binary as
// {"$b64": "<base64>"} (each peer converts to and from its own binary type).

/** A JSON value. */
export type WireValue =
  | null
  | boolean
  | number
  | string
  | WireValue[]
  | { [key: string]: WireValue };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A received value (Buffer, ArrayBuffer and typed arrays included) in wire form. */
export function toWire(value: unknown): WireValue {
  if (value instanceof ArrayBuffer) return { $b64: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) {
    return {
      $b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"),
    };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  }
  if (value === undefined) return null;
  return value as WireValue;
}

/** A wire value as our side sends it: {"$b64"} becomes a Buffer. */
export function fromWire(value: WireValue): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof value["$b64"] === "string") {
      return Buffer.from(value["$b64"], "base64");
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromWire(item)]));
  }
  return value;
}

/** Binary in wire form. */
export function bytes(...values: number[]): WireValue {
  return { $b64: Buffer.from(values).toString("base64") };
}
