// The adapter contract on the IPC adapter: every node has its own bus and channel to one relay,
// as each worker of a node:cluster primary would (the channel is simulated in-process; the
// separate-process runs are in ipc-cluster.test.ts).
import { createAdapter, IpcRelay } from "@switchyard/sticky";
import { describeAdapterContract } from "../cluster/contract.js";
import { describeRecoveryContract } from "../cluster/contract-recovery.js";
import { ipcLink } from "./support/ipc-link.js";

describeAdapterContract("node:cluster IPC (simulated channels)", async () => {
  const relay = new IpcRelay();
  const injector = ipcLink(relay);
  return {
    adapter: (options) => createAdapter({ ...options, bus: ipcLink(relay).bus }),
    inject: (nsp, payload) => injector.bus.publish(nsp, { kind: "all" }, payload),
    close: async () => undefined,
  };
});

describeRecoveryContract("node:cluster IPC (simulated channels)", async () => {
  const relay = new IpcRelay();
  const injector = ipcLink(relay);
  return {
    adapter: (options) => createAdapter({ ...options, bus: ipcLink(relay).bus }),
    inject: (nsp, payload) => injector.bus.publish(nsp, { kind: "all" }, payload),
    close: async () => undefined,
  };
});
