// Runs one role of the scenario for every peer that plays it and every transport: one describe
// block per peer and transport, one test per feature, each held to its docs/interop.md cell.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PeerLaunch, resolvePeer } from "../../support/peers.js";
import {
  FEATURES,
  MATRIX_PEERS,
  type PeerRole,
  type RoleScenario,
  TRANSPORTS,
  type TransportMode,
} from "../scenario.js";
import { documentedRow } from "./matrix-doc.js";
import type { PeerHello } from "./peer-process.js";

/** How a role starts and cleans up its context (one per peer and transport). */
export interface RoleHarness<Context> {
  start(launch: PeerLaunch, transport: TransportMode): Promise<Context>;
  /** The peer's hello line (implementation and version). */
  hello(context: Context): PeerHello;
  /** After each test: close whatever the test opened. */
  afterEach(context: Context): Promise<void>;
  stop(context: Context): Promise<void>;
}

/** The documented version: Go modules print `v3.0.6`, the table says `3.0.6`. */
function plainVersion(version: string): string {
  return version.replace(/^v/, "");
}

export function describeMatrix<Context>(
  role: PeerRole,
  harness: RoleHarness<Context>,
  scenario: RoleScenario<Context>,
): void {
  for (const { id } of MATRIX_PEERS.filter((peer) => peer.role === role)) {
    const launch = resolvePeer(id, process.env, (message) => console.warn(`[interop] ${message}`));
    describe.skipIf(launch === undefined).each(TRANSPORTS)(`${id} as ${role}, %s`, (transport) => {
      const row = documentedRow(id, role, transport);
      let context: Context | undefined;
      const current = (): Context => {
        if (context === undefined) throw new Error("the peer did not start");
        return context;
      };
      beforeAll(async () => {
        context = await harness.start(launch as PeerLaunch, transport);
      }, 60_000);
      afterEach(async () => {
        if (context !== undefined) await harness.afterEach(context);
      });
      afterAll(async () => {
        if (context !== undefined) await harness.stop(context);
      });

      it(`is version ${row.version}, as docs/interop.md says`, () => {
        expect(plainVersion(harness.hello(current()).version)).toBe(row.version);
      });

      for (const feature of FEATURES) {
        const cell = row.cells[feature];
        const title = cell.pass ? feature : `${feature} (fails: known problem ${cell.note})`;
        it(title, async () => {
          let failure: unknown;
          try {
            await scenario[feature](current());
          } catch (error) {
            failure = error;
          }
          if (cell.pass && failure !== undefined) throw failure;
          if (!cell.pass) {
            expect(
              failure,
              `docs/interop.md lists ${id} ${role} ${transport} "${feature}" as failing, but it passes: update the table`,
            ).toBeDefined();
          }
        });
      }
    });
  }
}
