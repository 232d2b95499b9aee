// The adapter contract on a real nats-server, with and without noEcho (skipped when no NATS), and
// the recovery contract on its JetStream history.
import { inject } from "vitest";
import { describeAdapterContract } from "./contract.js";
import { describeRecoveryContract } from "./contract-recovery.js";
import { natsBus } from "./nats-bus.js";

const url = inject("natsUrl");

describeAdapterContract("nats", () => natsBus(url ?? ""), url === undefined);
describeAdapterContract(
  "nats (echo on: own messages filtered by node id)",
  () => natsBus(url ?? "", { noEcho: false }),
  url === undefined,
);
describeRecoveryContract("nats", () => natsBus(url ?? ""), url === undefined);
