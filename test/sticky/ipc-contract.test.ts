// The adapter and recovery contracts on the IPC adapter: every node has its own bus and channel to
// one relay, as each worker of a node:cluster primary would (the channel is simulated in-process;
// the separate-process runs are in ipc-cluster.test.ts and test/recovery/sticky-primary.test.ts).
import {
  type ContractBus,
  describeAdapterContract,
  describeRecoveryContract,
} from "@switchyard/server/testing";
import { createAdapter, IpcRelay } from "@switchyard/sticky";
import { io } from "socket.io-client";
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

describeAdapterContract("node:cluster IPC (simulated channels)", ipcBus, { io });
describeRecoveryContract("node:cluster IPC (simulated channels)", ipcBus, { io });
