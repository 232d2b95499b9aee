// The adapter contract on a real nats-server, with and without noEcho, and the recovery contract
// on its JetStream history: on the distribution's nats-server (Debian: 2.9, where the history
// reaches the nodes through ordered consumers) and on the current 2.x (.ci/run builds it; the
// stream's RePublish). Each suite is skipped when its server is unavailable outside CI.
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { inject } from "vitest";
import { natsBus } from "./nats-bus.js";

const url = inject("natsUrl");
const currentUrl = inject("natsCurrentUrl");

describeAdapterContract("nats", () => natsBus(url ?? ""), { io, skip: url === undefined });
describeAdapterContract(
  "nats (echo on: own messages filtered by node id)",
  () => natsBus(url ?? "", { noEcho: false }),
  { io, skip: url === undefined },
);
describeRecoveryContract("nats", () => natsBus(url ?? ""), { io, skip: url === undefined });

describeAdapterContract("nats (current server)", () => natsBus(currentUrl ?? ""), {
  io,
  skip: currentUrl === undefined,
});
describeRecoveryContract("nats (current server)", () => natsBus(currentUrl ?? ""), {
  io,
  skip: currentUrl === undefined,
});
// The delivery the distribution's 2.9 gets by default, on the current server too.
describeRecoveryContract(
  "nats (current server, ordered consumer delivery)",
  () => natsBus(currentUrl ?? "", { history: { delivery: "consumer" } }),
  { io, skip: currentUrl === undefined },
);
