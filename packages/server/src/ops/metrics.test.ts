import { describe, expect, it } from "vitest";
import { resolveMetricsOptions, ServerMetrics, ServerStats, sumBusCounters } from "./metrics.js";

const zeroBus = {
  published: 0,
  publishFailed: 0,
  received: 0,
  dropped: 0,
  requestTimeouts: 0,
  recoveryMisses: {},
  recoveryReplayed: 0,
};

describe("ServerMetrics", () => {
  it("reads the stats at scrape time on its own registry", async () => {
    const stats = new ServerStats();
    const options = resolveMetricsOptions({ prefix: "t_", labels: { node: "n1" } });
    if (options === undefined) throw new Error("options expected");
    const metrics = new ServerMetrics(
      {
        stats,
        sockets: () => 3,
        engineClients: () => 2,
        namespaces: () => 1,
        bus: () => ({ ...zeroBus, published: 7 }),
        ready: () => true,
      },
      options,
    );
    stats.unknownSid += 2;
    const text = await metrics.metrics();
    expect(text).toContain('t_sockets_connected{node="n1"} 3');
    expect(text).toContain('t_polling_unknown_sid_total{node="n1"} 2');
    expect(text).toContain('t_bus_published_total{node="n1"} 7');
    expect(text).toContain("# TYPE t_connections_total counter");
    stats.unknownSid++;
    expect(await metrics.metrics()).toContain('t_polling_unknown_sid_total{node="n1"} 3');
  });

  it("is off unless enabled", () => {
    expect(resolveMetricsOptions(false)).toBeUndefined();
    expect(resolveMetricsOptions(true)).toMatchObject({ path: "/metrics", prefix: "switchyard_" });
  });
});

describe("sumBusCounters", () => {
  it("sums adapters with counters and ignores the others", () => {
    const bus = { published: 1, publishFailed: 2, received: 3, dropped: 4 };
    const recoveryCounters = { hits: 1, misses: { offset: 1, epoch: 2 }, replayed: 7 };
    const adapters = [
      {},
      { counters: bus, requestTimeouts: 5, recoveryCounters },
      { counters: bus, recoveryCounters: { ...recoveryCounters, misses: { offset: 3 } } },
    ];
    expect(sumBusCounters(adapters)).toEqual({
      published: 2,
      publishFailed: 4,
      received: 6,
      dropped: 8,
      requestTimeouts: 5,
      recoveryMisses: { offset: 4, epoch: 2 },
      recoveryReplayed: 14,
    });
  });
});
