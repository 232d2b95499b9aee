// One error scheme (docs/errors.md): every code a package defines is SY_ERR_<PACKAGE>_<WHAT>
// with its own <PACKAGE>, every exported error class derives from SwitchyardError, and every
// deprecated alias is documented with the current code that replaced it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as nats from "@switchyard/adapter-nats";
import * as redis from "@switchyard/adapter-redis";
import * as client from "@switchyard/client";
import * as protocol from "@switchyard/protocol";
import * as server from "@switchyard/server";
import * as sticky from "@switchyard/sticky";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

/** Each package's public API and the <PACKAGE> parts its codes may use. */
const PACKAGES: ReadonlyArray<{ name: string; api: object; areas: readonly string[] }> = [
  { name: "protocol", api: protocol, areas: ["PROTOCOL"] },
  { name: "server", api: server, areas: ["ENGINE", "SOCKET", "ADAPTER", "SERVER"] },
  { name: "client", api: client, areas: ["CLIENT"] },
  { name: "adapter-redis", api: redis, areas: ["ADAPTER_REDIS"] },
  { name: "adapter-nats", api: nats, areas: ["ADAPTER_NATS"] },
  { name: "sticky", api: sticky, areas: ["STICKY"] },
];

/** The code objects (`*ErrorCode`) and deprecated-alias maps a package exports. */
function exportedCodes(api: object): { current: string[]; deprecated: Map<string, string> } {
  const current: string[] = [];
  const deprecated = new Map<string, string>();
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== "object" || value === null) continue;
    if (name.endsWith("DeprecatedErrorCode")) {
      for (const [old, replacement] of Object.entries(value as Record<string, string>)) {
        deprecated.set(old, replacement);
      }
    } else if (name.endsWith("ErrorCode")) {
      current.push(...Object.values(value).filter((v): v is string => typeof v === "string"));
    }
  }
  return { current, deprecated };
}

function areaOf(code: string, areas: readonly string[]): string | undefined {
  // The longest area first: ADAPTER_REDIS before ADAPTER.
  return [...areas]
    .sort((a, b) => b.length - a.length)
    .find((area) => new RegExp(`^SY_ERR_${area}_[A-Z0-9]+(_[A-Z0-9]+)*$`).test(code));
}

/** The rows of the "Deprecated codes" table: old code → the code that replaced it. */
async function documentedAliases(): Promise<Map<string, string>> {
  const doc = await readFile(join(root, "docs", "errors.md"), "utf8");
  const section = doc.split("## Deprecated codes")[1] ?? "";
  const rows = section.matchAll(/^\| `(SY_ERR_[A-Z0-9_]+)` \| `(SY_ERR_[A-Z0-9_]+)`/gm);
  return new Map([...rows].map((row) => [row[1] ?? "", row[2] ?? ""]));
}

describe("the error scheme", () => {
  it("tells a code of its own package from another's", () => {
    expect(areaOf("SY_ERR_ADAPTER_REDIS_CLIENT_ERROR", ["ADAPTER_REDIS"])).toBe("ADAPTER_REDIS");
    expect(areaOf("SY_ERR_REDIS_CLIENT_ERROR", ["ADAPTER_REDIS"])).toBeUndefined();
    expect(areaOf("SY_ERR_ADAPTER_", ["ADAPTER"])).toBeUndefined();
  });

  it.each(PACKAGES)("gives every code of $name its own <PACKAGE> part", ({ api, areas }) => {
    const { current } = exportedCodes(api);
    expect(current.length).toBeGreaterThan(0);
    expect(current.filter((code) => areaOf(code, areas) === undefined)).toEqual([]);
  });

  it("derives every exported error class of every package from SwitchyardError", () => {
    const classes = PACKAGES.flatMap(({ name, api }) =>
      Object.entries(api)
        .filter(([, value]) => typeof value === "function" && value.prototype instanceof Error)
        .map(([exported, value]) => ({ exported: `${name}.${exported}`, value })),
    );
    expect(classes.length).toBeGreaterThan(10);
    const others = classes.filter(
      ({ value }) =>
        value !== protocol.SwitchyardError &&
        !(value.prototype instanceof protocol.SwitchyardError),
    );
    expect(others.map(({ exported }) => exported)).toEqual([]);
  });

  it("documents every deprecated alias with the current code that replaced it, and no other", async () => {
    const documented = await documentedAliases();
    const exported = new Map<string, string>();
    for (const { api, areas } of PACKAGES) {
      const { current, deprecated } = exportedCodes(api);
      for (const [old, replacement] of deprecated) {
        expect(current).toContain(replacement);
        expect(areaOf(replacement, areas)).toBeDefined();
        exported.set(old, replacement);
      }
    }
    expect(exported.size).toBeGreaterThan(0);
    expect(documented).toEqual(exported);
  });
});
