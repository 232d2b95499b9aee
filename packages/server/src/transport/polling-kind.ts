// The registry entry of HTTP long-polling: served by plain requests, upgradable to websocket.
import type { RequestTransportKind } from "./kind.js";
import { PollingTransport } from "./polling.js";

/** `polling`: every session's GETs and POSTs go to its `PollingTransport`. */
export const pollingKind: RequestTransportKind = {
  handlesUpgrade: false,
  upgradesTo: ["websocket"],
  create(engine) {
    const { maxHttpBufferSize, httpCompression } = engine.options;
    return (sid) =>
      new PollingTransport({
        maxHttpBufferSize,
        httpCompression,
        decorateHeaders: (headers, req) => engine.decorateHeaders(headers, req, sid),
      });
  },
};
