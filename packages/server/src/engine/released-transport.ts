// A transport its session lets go of (replaced by an upgrade, or the session closed): its events
// reach nobody from then on, its unsent data is dropped and it is closed.
import type { Transport, TransportSink } from "../transport/transport.js";

/** Detaches `transport` from its session, drops what it has not sent and closes it. */
export function releaseTransport(transport: Transport): void {
  transport.bind(IGNORE);
  transport.discard();
  transport.close();
}

const IGNORE: TransportSink = {
  onPacket: () => {},
  onParseError: () => {},
  onError: () => {},
  onClose: () => {},
  onWritable: () => {},
};
