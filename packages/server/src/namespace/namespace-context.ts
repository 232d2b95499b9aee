// What a namespace needs from its server, without depending on the Server class.
import type { AdapterContract, AdapterNamespace, RecoverySettings } from "../adapter/adapter.js";
import type { PacketEncoder } from "../connection/parser.js";

/** Shared server state handed to every namespace. */
export interface NamespaceContext {
  readonly encoder: PacketEncoder;
  recovery(): RecoverySettings | undefined;
  cleanupEmptyChildNamespaces(): boolean;
  /** Builds the adapter of a namespace from the `adapter` option. */
  createAdapter(nsp: AdapterNamespace): AdapterContract;
}
