// docs/writing-an-adapter.md shows the complete example bus that test/cluster/tiny-bus.test.ts
// runs the contracts on: the block under its marker is that file, character for character.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const EXAMPLE = "examples/tiny-bus/tiny-bus.ts";

/** The code of the ```ts block right after `<!-- path -->`, or undefined. */
function blockAfterMarker(markdown: string, path: string): string | undefined {
  const marker = `<!-- ${path} -->\n\`\`\`ts\n`;
  const start = markdown.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  const end = markdown.indexOf("\n```", from - 1);
  return end < 0 ? undefined : markdown.slice(from, end + 1);
}

describe("docs/writing-an-adapter.md", () => {
  it("reads the block under a marker up to its closing fence", () => {
    const sample = "x\n<!-- a.ts -->\n```ts\nconst a = 1;\nconst b = 2;\n```\nafter";
    expect(blockAfterMarker(sample, "a.ts")).toBe("const a = 1;\nconst b = 2;\n");
    expect(blockAfterMarker(sample, "b.ts")).toBeUndefined();
  });

  it("shows the example bus that the contracts run on, exactly", async () => {
    const [doc, code] = await Promise.all([
      readFile(join(root, "docs", "writing-an-adapter.md"), "utf8"),
      readFile(join(root, EXAMPLE), "utf8"),
    ]);
    expect(blockAfterMarker(doc, EXAMPLE)).toBe(code);
  });
});
