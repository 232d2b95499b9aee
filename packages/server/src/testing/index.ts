// Public API of @switchyard/server/testing: the adapter contract suites (Vitest) and their
// harness, for anyone who writes a bus (docs/writing-an-adapter.md). Every name listed by hand.

export type {
  ClusterNode,
  ContractBus,
  ContractClient,
  ContractClientOptions,
  ContractIo,
  Peer,
  RoomEmitter,
} from "./cluster-harness.js";
export {
  CONTRACT_OPTIONS,
  connectionOf,
  fence,
  Peers,
  received,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "./cluster-harness.js";
export type { ContractOptions, CreateBus } from "./contract.js";
export { describeAdapterContract } from "./contract.js";
export type { RecoveryContractOptions } from "./contract-recovery.js";
export { describeRecoveryContract } from "./contract-recovery.js";
export type { Numbered } from "./recovery-harness.js";
export { emitNumbered, RecoveringPeer, recoveryCounters, upTo } from "./recovery-harness.js";
export type { SwitchProxy } from "./switch-proxy.js";
export { startSwitchProxy } from "./switch-proxy.js";
