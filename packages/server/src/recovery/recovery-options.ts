// The `connectionStateRecovery` option: user input merged with the official defaults.
import type { RecoverySettings } from "../adapter/adapter.js";

/** Connection state recovery settings (socket.io 4.8). */
export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected session (and the packets it misses) is kept. @default 120000 */
  maxDisconnectionDuration?: number;
  /** Whether a recovered socket skips the connect middlewares. @default true */
  skipMiddlewares?: boolean;
}

/** Default recovery settings, applied when the option is given (even as `{}`). */
export const RECOVERY_DEFAULTS: RecoverySettings = {
  maxDisconnectionDuration: 2 * 60 * 1000,
  skipMiddlewares: true,
};

/** Merges user recovery options over the defaults; undefined keeps recovery off. */
export function resolveRecovery(
  options: ConnectionStateRecoveryOptions | undefined,
): RecoverySettings | undefined {
  if (options === undefined) return undefined;
  return {
    maxDisconnectionDuration:
      options.maxDisconnectionDuration ?? RECOVERY_DEFAULTS.maxDisconnectionDuration,
    skipMiddlewares: options.skipMiddlewares ?? RECOVERY_DEFAULTS.skipMiddlewares,
  };
}

/** Disconnect reasons after which a session is saved for recovery. */
export const RECOVERABLE_DISCONNECT_REASONS: ReadonlySet<string> = new Set([
  "transport error",
  "transport close",
  "forced close",
  "ping timeout",
  "server shutting down",
  "forced server close",
]);
