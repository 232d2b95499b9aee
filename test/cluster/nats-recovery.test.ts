// Recovery on NATS JetStream (nats-recovery.ts), on the distribution's nats-server (Debian: 2.9)
// and on the current 2.x; each is skipped when its server is unavailable outside CI.
import { inject } from "vitest";
import { describeNatsRecovery } from "./nats-recovery.js";

describeNatsRecovery("distribution nats-server", inject("natsUrl"));
describeNatsRecovery("current nats-server", inject("natsCurrentUrl"));
