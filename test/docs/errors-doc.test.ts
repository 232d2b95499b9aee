// docs/errors.md lists every stable error code that the packages' source defines, and no other.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
// A quoted code, or a code as an object key (the deprecated-alias maps).
const CODE = /["'`](SY_ERR_[A-Z0-9_]+)["'`]|\b(SY_ERR_[A-Z0-9_]+)\??:/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => join(e.parentPath, e.name));
}

async function codesInSource(): Promise<Set<string>> {
  const codes = new Set<string>();
  const packages = await readdir(join(root, "packages"));
  for (const pkg of packages) {
    for (const file of await sourceFiles(join(root, "packages", pkg, "src"))) {
      for (const match of (await readFile(file, "utf8")).matchAll(CODE)) {
        const code = match[1] ?? match[2];
        if (code) codes.add(code);
      }
    }
  }
  return codes;
}

describe("docs/errors.md", () => {
  it("lists every error code defined in the packages' source", async () => {
    const doc = await readFile(join(root, "docs", "errors.md"), "utf8");
    const codes = await codesInSource();
    expect(codes.size).toBeGreaterThan(0);
    const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("lists no code that the source no longer defines", async () => {
    const doc = await readFile(join(root, "docs", "errors.md"), "utf8");
    const codes = await codesInSource();
    const documented = [...doc.matchAll(/`(SY_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1] ?? "");
    const stale = documented.filter((code) => !codes.has(code));
    expect(stale).toEqual([]);
  });
});
