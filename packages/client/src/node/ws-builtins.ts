// The slices of Node's buffer, crypto, net, tls and http(s) modules the lean WebSocket client
// (ws-client.ts) uses, typed structurally: the client package has no Node types and no
// `node:*` imports (biome.json). Modules are loaded with process.getBuiltinModule on first use.

/** A Node Buffer, as far as the WebSocket client uses it. */
export interface NodeBuffer extends Uint8Array {
  subarray(start?: number, end?: number): NodeBuffer;
  toString(encoding?: "utf8" | "base64", start?: number, end?: number): string;
  write(text: string, offset: number): number;
  writeUInt32BE(value: number, offset: number): number;
  readUInt32BE(offset: number): number;
}

/** The static side of Buffer. */
export interface NodeBufferStatic {
  allocUnsafe(size: number): NodeBuffer;
  alloc(size: number): NodeBuffer;
  byteLength(text: string): number;
  concat(list: readonly Uint8Array[], totalLength: number): NodeBuffer;
}

/** node:buffer. */
export interface NodeBufferModule {
  Buffer: NodeBufferStatic;
  isUtf8(input: Uint8Array): boolean;
}

/** node:crypto. */
export interface NodeCryptoModule {
  randomFillSync(buffer: Uint8Array): Uint8Array;
  randomBytes(size: number): NodeBuffer;
  createHash(algorithm: "sha1"): {
    update(data: string): { digest(encoding: "base64"): string };
  };
}

/** A connected net.Socket or tls.TLSSocket. */
export interface NetSocket {
  setNoDelay(noDelay: boolean): unknown;
  setTimeout(ms: number): unknown;
  unref(): unknown;
  write(data: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  resume(): unknown;
  on(event: "data", fn: (chunk: NodeBuffer) => void): unknown;
  on(event: "end" | "close", fn: () => void): unknown;
  on(event: "error", fn: (err: unknown) => void): unknown;
  removeAllListeners(event: "data"): unknown;
}

/** node:net and node:tls (`connect`). */
export interface NodeConnectModule {
  connect(options: Record<string, unknown>): NetSocket;
  isIP?(input: string): number;
}

/** The handshake answer (an http.IncomingMessage). */
export interface NodeIncomingMessage {
  readonly statusCode?: number | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  resume(): unknown;
}

/** An http.ClientRequest. */
export interface NodeClientRequest {
  on(event: "response", fn: (res: NodeIncomingMessage) => void): unknown;
  on(
    event: "upgrade",
    fn: (res: NodeIncomingMessage, socket: NetSocket, head: NodeBuffer) => void,
  ): unknown;
  on(event: "error", fn: (err: unknown) => void): unknown;
  end(): unknown;
  destroy(): unknown;
}

/** node:http and node:https (`request`). */
export interface NodeRequestModule {
  request(url: string, options: Record<string, unknown>): NodeClientRequest;
}

interface Builtins {
  "node:buffer": NodeBufferModule;
  "node:crypto": NodeCryptoModule;
  "node:net": NodeConnectModule;
  "node:tls": NodeConnectModule;
  "node:http": NodeRequestModule;
  "node:https": NodeRequestModule;
}

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

/** True where process.getBuiltinModule exists (Node ≥ 20.16): the lean client can run. */
export function hasBuiltins(): boolean {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return typeof proc?.getBuiltinModule === "function";
}

/** A Node builtin module. */
export function builtin<K extends keyof Builtins>(id: K): Builtins[K] {
  const proc = (globalThis as unknown as { process: Required<NodeProcess> }).process;
  return proc.getBuiltinModule(id) as Builtins[K];
}
