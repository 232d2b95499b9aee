// Placeholder entry point: the issue that builds this package replaces it.

/** This package's release line; the public API lands with its own issue. */
export const version: string = "0.1.0";
