import { describe, expect, it } from "vitest";
import { PublishSequencer } from "./publish-sequencer.js";

/** A send that records when it went out, settled by the test. */
function sends() {
  const log: string[] = [];
  const pending = new Map<string, () => void>();
  const send =
    (name: string, settled = true) =>
    (): Promise<void> => {
      log.push(name);
      if (settled) return Promise.resolve();
      return new Promise<void>((resolve) => pending.set(name, resolve));
    };
  const settle = (name: string): void => pending.get(name)?.();
  return { log, send, settle };
}

describe("PublishSequencer", () => {
  it("sends appends and ordinary messages at once when nothing is pending", async () => {
    const { log, send } = sends();
    const sequencer = new PublishSequencer(1000);
    await sequencer.publish(send("p1"));
    await sequencer.append(send("a1"));
    await sequencer.publish(send("p2"));
    expect(log).toEqual(["p1", "a1", "p2"]);
  });

  it("pipelines appends, holds an ordinary message until they are stored, then what follows", async () => {
    const { log, send, settle } = sends();
    const sequencer = new PublishSequencer(60_000);
    const a1 = sequencer.append(send("a1", false));
    const a2 = sequencer.append(send("a2", false));
    const p1 = sequencer.publish(send("p1"));
    const a3 = sequencer.append(send("a3"));
    const p2 = sequencer.publish(send("p2"));
    await Promise.resolve();
    expect(log).toEqual(["a1", "a2"]);
    settle("a1");
    settle("a2");
    await Promise.all([a1, a2, p1, a3, p2]);
    expect(log).toEqual(["a1", "a2", "p1", "a3", "p2"]);
  });

  it("does not hold an ordinary message longer than its bound, nor after a failed append", async () => {
    const { log, send } = sends();
    const sequencer = new PublishSequencer(20);
    void sequencer.append(send("stuck", false));
    await sequencer.publish(send("p1"));
    expect(log).toEqual(["stuck", "p1"]);
    const failing = new PublishSequencer(60_000);
    const refused = failing.append(() => Promise.reject(new Error("refused")));
    await expect(refused).rejects.toThrow("refused");
    await failing.publish(send("p2"));
    expect(log).toEqual(["stuck", "p1", "p2"]);
  });
});
