// Safe defaults for every limit the decoders enforce on peer input. Each one is an option.

/** Official socket.io-parser default (4.2.6+): more attachments are "too many attachments". */
export const DEFAULT_MAX_ATTACHMENTS = 10;

/**
 * Deepest nesting of arrays/objects accepted in a Socket.IO packet. The official parser has no
 * limit; ours protects the recursive walks (binary reconstruction, user code) from stack
 * exhaustion. Real-world payloads rarely pass 10 levels.
 */
export const DEFAULT_MAX_DEPTH = 64;

/** Longest text packet the Socket.IO decoder accepts, in UTF-16 code units (1e6, as maxHttpBufferSize). */
export const DEFAULT_MAX_LENGTH = 1_000_000;

/** Most packets one polling payload may carry before it is rejected. */
export const DEFAULT_MAX_PAYLOAD_PACKETS = 10_000;
