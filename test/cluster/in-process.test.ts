// The adapter contract on the in-process bus (the reference bus: no broker, same code path).
import { InProcessBus, topicOf } from "@switchyard/server";
import { describeAdapterContract } from "./contract.js";
import { describeRecoveryContract } from "./contract-recovery.js";

describeAdapterContract("in-process bus", async () => {
  const bus = new InProcessBus();
  return {
    adapter: (options) => bus.adapter(options),
    inject: (nsp, payload) => bus.publish(topicOf(nsp, { kind: "all" }), payload),
    close: async () => undefined,
  };
});

describeRecoveryContract("in-process bus", async () => {
  const bus = new InProcessBus();
  return {
    adapter: (options) => bus.adapter(options),
    inject: (nsp, payload) => bus.publish(topicOf(nsp, { kind: "all" }), payload),
    close: async () => undefined,
  };
});
