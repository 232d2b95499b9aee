// The marker present on every IPC adapter message (distinct from the sticky routing messages), so
// that every other IPC message — the application's, the router's — is left alone.

/** Marker present on every IPC adapter message. */
export const IPC_ADAPTER_MARKER = "switchyard:ipc-adapter";
