// WebSocket framing as a server writes it (RFC 6455 §5.2: no mask), for the bench's replay
// server and the client tests' raw servers. Pure.

/**
 * One unmasked frame: `fin` false for a fragment that more frames continue, `rsv` the RSV1-3
 * bits (0x40, 0x20, 0x10) a test may set.
 */
export function serverFrame(opcode: number, payload: Buffer, fin = true, rsv = 0): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + length);
  out[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (header === 2) out[1] = length;
  else if (header === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(out, header);
  return out;
}
