// CONTRIBUTING.md: private members are #private; TypeScript's `private` only for constructors.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const TS_PRIVATE = /^\s*private\s+(?!constructor\b)/;

/** `file:line` of every member declared with TypeScript's `private` in `text`. */
function tsPrivateMembers(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (TS_PRIVATE.test(line) ? [`${file}:${i + 1}`] : []));
}

describe("private members", () => {
  it("finds TypeScript private members and lets private constructors be", () => {
    const sample = "class A {\n  private x = 1;\n  private constructor() {}\n  #y = 2;\n}";
    expect(tsPrivateMembers("a.ts", sample)).toEqual(["a.ts:2"]);
  });

  it("are #private in every package's source", async () => {
    const found: string[] = [];
    for (const pkg of await readdir(join(root, "packages"))) {
      const src = join(root, "packages", pkg, "src");
      for (const entry of await readdir(src, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
        const path = join(entry.parentPath, entry.name);
        found.push(...tsPrivateMembers(relative(root, path), await readFile(path, "utf8")));
      }
    }
    expect(found).toEqual([]);
  });
});
