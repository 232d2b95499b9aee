// The registry entry of the WebSocket transport: served by an HTTP Upgrade on the `wsEngine`
// server (ws's WebSocketServer by default), the end of every upgrade path.
import { WebSocketServer } from "ws";
import type { TransportEngine, UpgradeTransportKind } from "./kind.js";
import { EngineWebSocket, WebSocketTransport } from "./websocket.js";
import type { WsEngineServer } from "./ws-engine.js";

/** `websocket`: one `wsEngine` server per engine; each accepted socket gets its transport. */
export const websocketKind: UpgradeTransportKind = {
  handlesUpgrade: true,
  upgradesTo: [],
  create(engine) {
    const server = createWsServer(engine);
    server.on?.("headers", (lines, req) => {
      lines.push(...engine.upgradeHeaders(req));
    });
    const perMessageDeflate = engine.options.perMessageDeflate !== false;
    return (req, socket, head, query, onOpen) => {
      const options = { supportsBinary: !query.has("b64"), perMessageDeflate };
      server.handleUpgrade(req, socket, head, (ws) => {
        onOpen(new WebSocketTransport(ws, socket, options));
      });
    };
  },
};

function createWsServer(engine: TransportEngine): WsEngineServer {
  const { wsEngine, perMessageDeflate, maxHttpBufferSize } = engine.options;
  const options = {
    noServer: true,
    clientTracking: false,
    perMessageDeflate,
    maxPayload: maxHttpBufferSize,
  } as const;
  if (wsEngine !== undefined && wsEngine !== WebSocketServer) return new wsEngine(options);
  // The built-in engine: ws with the engine's socket class, which answers pings itself without
  // a closure per socket.
  return new WebSocketServer({ ...options, WebSocket: EngineWebSocket, autoPong: false });
}
