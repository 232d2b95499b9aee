// protocol: CPU per encode/decode of @switchyard/protocol against engine.io-parser 5.2 and
// socket.io-parser 4.2, in this process, alternating rounds per case.
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario } from "../../lib/scenario.js";
import { CASES } from "./cases.js";
import { cpuNanosPerOp, lastResult } from "./timing.js";

// Issue 2's target: small-event encode/decode ≥ 1.5× faster, i.e. CPU per op ≤ 1/1.5.
const SMALL_EVENT_TARGET = 0.67;

export const scenario: Scenario = {
  name: "protocol",
  description:
    "codec CPU per operation, in-process (socket.io-parser 4.2 / engine.io-parser 5.2 as official)",
  notes: [
    "The two `ceiling` rows time V8's own JSON.stringify/JSON.parse of the small event against the whole official codec: no codec built on V8 JSON can go below them.",
  ],
  async run(ctx) {
    const roundMs = Math.max(50, Math.round(250 * ctx.scale));
    const metrics: Metric[] = [];
    for (const c of CASES) {
      const target =
        c.name.startsWith("socket.io") && c.name.endsWith("small event")
          ? SMALL_EVENT_TARGET
          : undefined;
      const m = metric(c.name, "ns CPU/op", target === undefined ? {} : { target });
      await alternate(ctx.rounds, async (impl, _i, measured) => {
        const ns = cpuNanosPerOp(impl === "switchyard" ? c.ours : c.theirs, roundMs);
        if (measured) record(m, impl, ns);
      });
      ctx.log(`${c.name} done`);
      metrics.push(m);
    }
    if (typeof lastResult() === "symbol") ctx.log("");
    return metrics;
  },
};
