// Tiny side-by-side timing harness: alternates ours/theirs for several rounds and prints the
// median ops/s of each and their ratio. No dependency, so the numbers are easy to audit.

export interface Case {
  name: string;
  ours: () => unknown;
  theirs: () => unknown;
}

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const ROUND_MS = Number(process.env["BENCH_ROUND_MS"] ?? 250);

let sink: unknown;

/** CPU time this process has used, in nanoseconds (user + system). */
function cpuNanos(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

// Ops per CPU-second rather than per wall-second: on a shared machine other processes steal
// wall time, while the CPU time this process spends per operation stays comparatively steady.
function opsPerSecond(fn: () => unknown): number {
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
  const end = process.hrtime.bigint() + BigInt(ROUND_MS) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
  }
  return (ops * 1e9) / Math.max(1, cpuNanos() - cpuStart);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function runCases(cases: Case[]): void {
  console.log(
    `node ${process.version}, ${ROUNDS} alternating rounds of ${ROUND_MS} ms per side, ops per CPU-second\n`,
  );
  const rows: string[][] = [["case", "switchyard ops/cpu-s", "official ops/cpu-s", "ratio"]];
  for (const c of cases) {
    // Warm both sides up so the JIT has seen each before measuring.
    opsPerSecond(c.ours);
    opsPerSecond(c.theirs);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        ours.push(opsPerSecond(c.ours));
        theirs.push(opsPerSecond(c.theirs));
      } else {
        theirs.push(opsPerSecond(c.theirs));
        ours.push(opsPerSecond(c.ours));
      }
    }
    const a = median(ours);
    const b = median(theirs);
    rows.push([c.name, fmt(a), fmt(b), `${(a / b).toFixed(2)}x`]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.map((cell, j) => cell.padEnd(widths[j] ?? 0)).join(" | ")} |`);
    if (i === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  }
  if (typeof sink === "symbol") console.log("");
}
