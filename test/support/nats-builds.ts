// The two nats-server builds every NATS suite runs on: the distribution's (Debian: 2.9) and a
// current 2.x (built from the Go module proxy by .ci/run). Under CI both must be there.
import { CURRENT_NATS, defaultBinDirs, findBinary, isCi, type ServiceFlavor } from "./services.js";

/** Each build's label, flavor and server binary (undefined when it is not installed). */
export function natsBuilds(): Array<{
  label: string;
  flavor: ServiceFlavor;
  binary: string | undefined;
}> {
  const current =
    process.env[CURRENT_NATS.binaryVar] ??
    findBinary("nats", defaultBinDirs(), CURRENT_NATS.binaryName);
  if (current === undefined && isCi()) throw new Error("CI needs the current nats-server");
  return [
    {
      label: "distribution nats-server",
      flavor: "default",
      binary: findBinary("nats", defaultBinDirs()),
    },
    { label: "current nats-server", flavor: "current", binary: current },
  ];
}
