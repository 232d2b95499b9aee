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
import { type Cell, documentedRow } from "./matrix-doc.js";
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

/** Attempts of a `~ (n)` cell (docs/interop.md), of which one must pass. */
const SOMETIMES_ATTEMPTS = 10;

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
        it(cellTitle(feature, cell), async () => {
          const run = async (): Promise<unknown> => {
            try {
              await scenario[feature](current());
              return undefined;
            } catch (error) {
              return error;
            }
          };
          const reset = (): Promise<void> => harness.afterEach(current());
          const where = `${id} ${role} ${transport} "${feature}"`;
          await holdToCell(cell, run, reset, where);
        });
      }
    });
  }
}

function cellTitle(feature: string, cell: Cell): string {
  if (cell.pass === true) return feature;
  if (cell.pass === false) return `${feature} (fails: known problem ${cell.note})`;
  if (cell.pass === "either") return `${feature} (passes or not: known problem ${cell.note})`;
  return `${feature} (passes sometimes: known problem ${cell.note})`;
}

/** Runs a feature and holds its outcome to the documented cell. */
async function holdToCell(
  cell: Cell,
  run: () => Promise<unknown>,
  reset: () => Promise<void>,
  where: string,
): Promise<void> {
  let failure = await run();
  if (cell.pass === "either") {
    // Either outcome of the feature's own checks; anything else (a timeout, a crash) still fails.
    if (failure !== undefined && !(failure instanceof Error && failure.name === "AssertionError")) {
      throw failure;
    }
    return;
  }
  if (cell.pass === "sometimes") {
    // A peer that behaves at random: one pass in SOMETIMES_ATTEMPTS is required (at one chance
    // in two per attempt, all failing is one run in a thousand).
    for (let attempt = 1; attempt < SOMETIMES_ATTEMPTS && failure !== undefined; attempt++) {
      await reset();
      failure = await run();
    }
    if (failure !== undefined) throw failure;
    return;
  }
  if (cell.pass && failure !== undefined) throw failure;
  if (!cell.pass) {
    expect(
      failure,
      `docs/interop.md lists ${where} as failing, but it passes: update the table`,
    ).toBeDefined();
  }
}
