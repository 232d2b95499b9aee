// Recovery across the workers of one host, at process level: the sticky primary routes, the IPC
// adapter's history lives in the primary's relay. A worker is SIGKILLed while every worker
// publishes numbered streams; its clients come back through the primary to the other workers.
import { afterEach, describe, it } from "vitest";
import { expectNoLoss, runFault, type Scenario, startScenario } from "./support/scenario.js";
import { type StickyApp, startStickyApp } from "./support/sticky-fleet.js";

const CLIENTS = 24;

describe("recovery faults: 3 workers behind the sticky primary (IPC adapter)", () => {
  let app: StickyApp | undefined;
  let scenario: Scenario | undefined;

  afterEach(async () => {
    for (const client of scenario?.clients ?? []) client.socket.disconnect();
    await app?.stop();
    [app, scenario] = [undefined, undefined];
  });

  it("recovers every client of a SIGKILLed worker on the other workers", async () => {
    app = await startStickyApp();
    const current = app;
    const workers = [...current.workers.values()];
    scenario = await startScenario(workers, `http://127.0.0.1:${current.port}`, CLIENTS);
    const victim = workers[1] as (typeof workers)[number];
    const onVictim = (await victim.command("stats"))["sockets"] as number;
    const streams = scenario.streams;
    const report = await runFault(scenario, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await streams.retire(victim);
      const respawned = current.nextWorker();
      process.kill(victim.pid, "SIGKILL");
      // The primary respawns the slot under the same node id: it publishes again once ready.
      const back = await respawned;
      await back.command("settle");
      streams.enlist(back);
    });
    console.info("SIGKILL of one worker:", JSON.stringify({ onVictim, ...report }));
    expectNoLoss(report, onVictim);
  }, 90_000);

  it("recovers every client through a rolling io.shutdown() of every worker", async () => {
    app = await startStickyApp();
    const current = app;
    const workers = [...current.workers.values()];
    scenario = await startScenario(workers, `http://127.0.0.1:${current.port}`, CLIENTS);
    const streams = scenario.streams;
    const report = await runFault(scenario, async () => {
      for (const worker of workers) {
        await streams.retire(worker);
        const respawned = current.nextWorker();
        process.kill(worker.pid, "SIGTERM");
        const back = await respawned;
        await back.command("settle");
        streams.enlist(back);
      }
    });
    console.info("rolling shutdown of the workers:", JSON.stringify(report));
    expectNoLoss(report, CLIENTS);
  }, 120_000);
});
