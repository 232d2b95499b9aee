// /readyz of a node with connection state recovery on a bus adapter: 503 until the recovery
// history has opened (a socket connected before could not be recovered later), then 200.
import { type ClusterHistory, InProcessBus } from "@switchyard/server";
import { afterAll, describe, expect, it } from "vitest";
import { get, type Node, startNode, until } from "./ops-support.js";

/** An in-process bus whose histories open only once `release()` is called. */
class GatedBus extends InProcessBus {
  #release: (() => void) | undefined;
  readonly #gate = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  release(): void {
    this.#release?.();
  }

  override historyOf(nsp: string): ClusterHistory {
    const history = super.historyOf(nsp);
    const open = async (): Promise<string> => {
      await this.#gate;
      return history.open();
    };
    return { ...history, open };
  }
}

const nodes: Node[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.io.close()));
});

describe("readiness while the recovery history opens", () => {
  it("answers 503 until the history is open, then 200", async () => {
    const bus = new GatedBus();
    const node = await startNode({
      health: true,
      adapter: bus.adapter(),
      connectionStateRecovery: {},
    });
    nodes.push(node);
    const ready = async (): Promise<number> => (await get(`${node.url}/readyz`)).status;
    expect(await ready()).toBe(503);
    expect((await get(`${node.url}/healthz`)).status).toBe(200);
    bus.release();
    await until(async () => (await ready()) === 200, 5_000);
  });

  it("is ready at once without recovery", async () => {
    const node = await startNode({ health: true, adapter: new GatedBus().adapter() });
    nodes.push(node);
    await until(async () => (await get(`${node.url}/readyz`)).status === 200, 5_000);
  });
});
