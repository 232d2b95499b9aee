// Recovery offsets: short, unique, increasing strings appended to every stored EVENT packet.
// The client echoes the last one it received; the adapter replays what came after it.

let lastTime = 0;
let seq = 0;

/** A new offset: base-36 milliseconds, plus `.n` when several offsets share a millisecond. */
export function nextOffset(now: number = Date.now()): string {
  if (now === lastTime) {
    seq++;
    return `${now.toString(36)}.${seq.toString(36)}`;
  }
  lastTime = now;
  seq = 0;
  return now.toString(36);
}
