// CPU time per operation of a synchronous function, in this process.

let sink: unknown;

/** CPU time this process has used, in nanoseconds (user + system). */
function cpuNanos(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * Nanoseconds of CPU per call of `fn`, over about `roundMs` of wall time. CPU rather than wall
 * time: on a shared machine other processes steal wall time, while the CPU this process spends
 * per operation stays comparatively steady.
 */
export function cpuNanosPerOp(fn: () => unknown, roundMs: number): number {
  // Calibrate a batch size so each clock read covers ≥ 1 ms of work.
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink = fn();
    if (Number(process.hrtime.bigint() - t0) > 1e6) break;
    batch *= 2;
  }
  let ops = 0;
  const cpuStart = cpuNanos();
  const end = process.hrtime.bigint() + BigInt(roundMs) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
  }
  return Math.max(1, cpuNanos() - cpuStart) / ops;
}

/** Keeps results reachable so the JIT cannot drop the calls. */
export function lastResult(): unknown {
  return sink;
}
