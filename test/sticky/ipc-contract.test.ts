// The adapter and recovery contracts on the IPC adapter: every node has its own bus and channel to
// one relay, as each worker of a node:cluster primary would (the channel is simulated in-process;
// the separate-process runs are in ipc-cluster.test.ts and test/recovery/sticky-primary.test.ts).
import { createAdapter, IpcRelay } from "@switchyard/sticky";
import type { ContractBus } from "../cluster/cluster-harness.js";
import { describeAdapterContract } from "../cluster/contract.js";
import { describeRecoveryContract } from "../cluster/contract-recovery.js";
import { ipcLink } from "./support/ipc-link.js";

/** A relay and one simulated worker channel per node. */
async function ipcBus(): Promise<ContractBus> {
  const relay = new IpcRelay();
  const injector = ipcLink(relay);
  return {
    adapter: (options) => createAdapter({ ...options, bus: ipcLink(relay).bus }),
    inject: (nsp, payload) => injector.bus.publish(nsp, { kind: "all" }, payload),
    close: async () => undefined,
  };
}

describeAdapterContract("node:cluster IPC (simulated channels)", ipcBus);
describeRecoveryContract("node:cluster IPC (simulated channels)", ipcBus);
