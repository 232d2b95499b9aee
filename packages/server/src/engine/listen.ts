// The official module-level helpers: `attach(server)` and `listen(port)` create an engine and
// hook it onto an HTTP server.
import { createServer } from "node:http";
import type { AttachableServer } from "../http/attach.js";
import type { AttachOptions, EngineServerOptions } from "./options.js";
import { EngineServer } from "./server.js";

/** Creates an engine and attaches it to `server` (the official `attach`). */
export function attach(
  server: AttachableServer,
  options: EngineServerOptions & AttachOptions = {},
): EngineServer {
  return new EngineServer(options).attach(server, options);
}

/**
 * Creates an HTTP server on `port` answering 501 outside the engine path, with an engine
 * attached (the official `listen`).
 */
export function listen(
  port: number,
  options: EngineServerOptions & AttachOptions = {},
  callback?: () => void,
): EngineServer {
  const server = createServer((_req, res) => {
    res.writeHead(501).end("Not Implemented");
  });
  const engine = attach(server, options);
  server.listen(port, callback);
  return engine;
}
