// docs/interop.md against the matrix definition and the peers' install files: every peer, role
// and transport has its row, every feature its column and legend entry, every ✗ a known problem,
// and the versions in the table are the versions the install files pin. (The peer tests hold
// each cell to its result, and each peer's version to what it reports.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PEER_SOURCES } from "../support/peers.js";
import { FEATURE_DESCRIPTIONS, FEATURES, MATRIX_PEERS, TRANSPORTS } from "./scenario.js";
import { DOC_PATH, parseCell, parseMatrix, parseNotes } from "./support/matrix-doc.js";

const doc = readFileSync(DOC_PATH, "utf8");
const rows = parseMatrix(doc);
const notes = parseNotes(doc);
const source = (path: string): string => readFileSync(join(PEER_SOURCES, path), "utf8");

describe("docs/interop.md", () => {
  it("has one row per peer, role and transport, in the matrix's order", () => {
    const expected = MATRIX_PEERS.flatMap(({ id, role }) =>
      TRANSPORTS.map((transport) => `${id} ${role} ${transport}`),
    );
    expect(rows.map((r) => `${r.peer} ${r.role} ${r.transport}`)).toEqual(expected);
  });

  it("explains every feature in its legend, as the scenario describes it", () => {
    for (const feature of FEATURES) {
      expect(doc, feature).toContain(`| ${feature} | ${FEATURE_DESCRIPTIONS[feature]} |`);
    }
  });

  it("refers every ✗ to a known problem, and every known problem is referred to", () => {
    const referred = new Set(
      rows
        .flatMap((row) => FEATURES.map((f) => row.cells[f]))
        .flatMap((c) => (c.pass === true ? [] : [c.note])),
    );
    expect([...referred].filter((n) => !notes.has(n))).toEqual([]);
    expect([...notes.keys()].filter((n) => !referred.has(n))).toEqual([]);
  });

  it("lists the versions the install files pin", () => {
    const version = (peer: string): string[] => [
      ...new Set(rows.filter((r) => r.peer === peer).map((r) => r.version)),
    ];
    const pip = /^python-socketio==(.+)$/m.exec(source("python-venv/requirements.txt"))?.[1];
    expect(version("python-socketio")).toEqual([pip]);
    const maven = /<artifactId>socket\.io-client<\/artifactId>\s*<version>(.+)<\/version>/.exec(
      source("java/pom.xml"),
    )?.[1];
    expect(version("socket.io-client-java")).toEqual([maven]);
    const go = /github\.com\/zishang520\/socket\.io\/v3 v(\S+)/.exec(source("go/go.mod"))?.[1];
    expect(version("zishang520-socket.io")).toEqual([go]);
    expect(version("python-socketio-debian")).toEqual(["5.7.2"]);
  });

  it("rejects a malformed table (the checks can fail)", () => {
    expect(() => parseCell("✓ (1)")).toThrow('not "✓ (1)"');
    expect(parseCell("✗ (2)")).toEqual({ pass: false, note: 2 });
    expect(parseCell("~ (4)")).toEqual({ pass: "sometimes", note: 4 });
    expect(parseCell("± (1)")).toEqual({ pass: "either", note: 1 });
    expect(() => parseMatrix("## Results\n\n| peer | version |\n| --- | --- |\n")).toThrow(
      "the results header must be",
    );
    const short = doc.replace(/\| ✓ \|\n/, "|\n");
    expect(() => parseMatrix(short)).toThrow(/has 10 results/);
  });
});
