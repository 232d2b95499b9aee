// The limits on a session's unsent data (its write buffer plus what its transport has not handed
// to the kernel): a volatile packet is dropped beyond `maxBufferedBytes`, and a write that would
// pass `maxBufferedBytesHard` closes the session ("write buffer overflow").
import { SwitchyardError } from "@switchyard/protocol";
import { ServerErrorCode } from "./errors.js";
import type { ResolvedEngineOptions } from "./options.js";

/** Whether `unsent` bytes leave room for a volatile packet (`maxBufferedBytes`). */
export function withinVolatileLimit(unsent: number, options: ResolvedEngineOptions): boolean {
  return unsent <= options.maxBufferedBytes;
}

/** The close description when `unsent` bytes would pass `maxBufferedBytesHard`, else undefined. */
export function writeBufferOverflow(
  unsent: number,
  options: ResolvedEngineOptions,
): SwitchyardError | undefined {
  const { maxBufferedBytesHard } = options;
  if (unsent <= maxBufferedBytesHard) return undefined;
  const message = `unsent data would pass maxBufferedBytesHard (${maxBufferedBytesHard} bytes)`;
  return new SwitchyardError(ServerErrorCode.ENGINE_WRITE_BUFFER_OVERFLOW, message);
}
