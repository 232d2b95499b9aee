// docs/interop.md's results table, read back: the tests hold every cell to what it says (a ✓ must
// pass, a ✗ must fail), so the table users read is the matrix CI ran.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FEATURES, type Feature, type PeerRole, type TransportMode } from "../scenario.js";

export const DOC_PATH: string = join(import.meta.dirname, "../../../docs/interop.md");

/**
 * One cell: passes, fails for the numbered known problem, or, for a peer whose behaviour is random,
 * `~ (n)` passes only sometimes (the test wants a pass within a few attempts) and `± (n)` either
 * passes or fails one of the feature's checks (the test accepts both, not any other error).
 */
export type Cell =
  | { pass: true }
  | { pass: false; note: number }
  | { pass: "sometimes" | "either"; note: number };

/** One row: a peer, role and transport. */
export interface MatrixRow {
  peer: string;
  version: string;
  role: string;
  transport: string;
  cells: Record<Feature, Cell>;
}

export const FIXED_COLUMNS = ["peer", "version", "role", "transport"] as const;

function cells(line: string): string[] {
  return line
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** Parses one cell: `✓`, `✗ (n)`, `~ (n)` or `± (n)`. */
export function parseCell(text: string): Cell {
  if (text === "✓") return { pass: true };
  const failed = /^([✗~±]) \((\d+)\)$/.exec(text);
  if (failed !== null) {
    const note = Number(failed[2]);
    if (failed[1] === "~") return { pass: "sometimes", note };
    if (failed[1] === "±") return { pass: "either", note };
    return { pass: false, note };
  }
  throw new Error(`docs/interop.md: a cell is "✓", "✗ (n)", "~ (n)" or "± (n)", not "${text}"`);
}

/** The rows of the table under "## Results"; throws on a malformed table. */
export function parseMatrix(markdown: string): MatrixRow[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Results"));
  if (section === undefined) throw new Error('docs/interop.md has no "## Results" section');
  const lines = section.split("\n").filter((line) => line.startsWith("|"));
  const [header, rule, ...body] = lines;
  const expected = [...FIXED_COLUMNS, ...FEATURES];
  if (header === undefined || JSON.stringify(cells(header)) !== JSON.stringify(expected)) {
    throw new Error(`docs/interop.md: the results header must be | ${expected.join(" | ")} |`);
  }
  if (rule === undefined || !cells(rule).every((cell) => /^-+$/.test(cell))) {
    throw new Error("docs/interop.md: the results header needs its --- row");
  }
  return body.map((line) => {
    const [peer = "", version = "", role = "", transport = "", ...rest] = cells(line);
    if (rest.length !== FEATURES.length) {
      throw new Error(`docs/interop.md: ${peer} ${role} ${transport} has ${rest.length} results`);
    }
    const parsed = Object.fromEntries(
      FEATURES.map((feature, i) => [feature, parseCell(rest[i] ?? "")]),
    ) as Record<Feature, Cell>;
    return { peer: peer.replace(/`/g, ""), version, role, transport, cells: parsed };
  });
}

/** The numbered known problems under "## Known problems" (`n. text`). */
export function parseNotes(markdown: string): Map<number, string> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Known problems"));
  const notes = new Map<number, string>();
  for (const match of (section ?? "").matchAll(/^(\d+)\. (.+)$/gm)) {
    notes.set(Number(match[1]), match[2] ?? "");
  }
  return notes;
}

let loaded: MatrixRow[] | undefined;

/** The documented row of a peer, role and transport. */
export function documentedRow(peer: string, role: PeerRole, transport: TransportMode): MatrixRow {
  loaded ??= parseMatrix(readFileSync(DOC_PATH, "utf8"));
  const row = loaded.find((r) => r.peer === peer && r.role === role && r.transport === transport);
  if (row === undefined) throw new Error(`docs/interop.md has no row ${peer} ${role} ${transport}`);
  return row;
}
