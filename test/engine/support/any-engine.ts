// Differential tests: the same raw requests against our engine and the official engine.io 6.6,
// each attached to its own HTTP server on a loopback port, closed after each test.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AttachOptions, EngineServer, type EngineServerOptions } from "@switchyard/server";
import { Server as OfficialEngine } from "engine.io";
import { closedAfterEach } from "../../support/closed-after-each.js";
import type { EngineHarness } from "./engine-harness.js";

/** Which engine a differential test runs against. */
export type EngineKind = "switchyard" | "official";

/** Both kinds, for `describe.each`. */
export const ENGINE_KINDS: readonly EngineKind[] = ["switchyard", "official"];

/**
 * `startEngine` for either kind, for the calling test file: engines are closed after each test.
 * The official engine is typed as ours; tests use only what both have.
 */
export function anyEngineStarter(): (
  kind: EngineKind,
  options?: EngineServerOptions & AttachOptions,
) => Promise<EngineHarness> {
  return closedAfterEach(async (kind: EngineKind, options = {}): Promise<EngineHarness> => {
    const http: HttpServer = createServer();
    const engine =
      kind === "switchyard"
        ? new EngineServer(options)
        : (new OfficialEngine(
            options as ConstructorParameters<typeof OfficialEngine>[0],
          ) as unknown as EngineServer);
    engine.attach(http);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return {
      engine,
      http,
      port: (http.address() as AddressInfo).port,
      path: (query) => `/engine.io/?${new URLSearchParams(query).toString()}`,
      close: async () => {
        await engine.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      },
    };
  });
}
