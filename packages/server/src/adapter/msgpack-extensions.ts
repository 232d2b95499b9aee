// The msgpack extension types of cluster messages and session records. msgpack has no type for an
// ArrayBuffer (only for bytes, which @msgpack/msgpack writes for typed arrays and views): without
// this, an ArrayBuffer in event data, `socket.data` or a server-side emit was encoded as an empty
// map and reached other nodes as `{}`. Extension type 0 carries its bytes and decodes to an
// ArrayBuffer again (so server-side listeners get the type they were sent). Only switchyard nodes
// read these messages; what goes to official nodes is written by official/official-encode.ts of
// the Redis adapter, as bytes. The built-in timestamp extension (-1, Date) stays as it was.
import { ExtensionCodec } from "@msgpack/msgpack";

/** msgpack extension type of an ArrayBuffer: its bytes. */
export const ARRAY_BUFFER_EXTENSION = 0;

/** The codec every cluster message and session record is encoded and decoded with. */
export const msgpackExtensions: ExtensionCodec = new ExtensionCodec();

msgpackExtensions.register({
  type: ARRAY_BUFFER_EXTENSION,
  encode: (value: unknown) => (value instanceof ArrayBuffer ? new Uint8Array(value) : null),
  // A copy: the data is a view of the whole message, which must not be kept alive by it.
  decode: (data: Uint8Array) => data.slice().buffer,
});
