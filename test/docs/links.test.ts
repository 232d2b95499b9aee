// Every relative link in the repository's Markdown points at a file or folder that exists, and
// the README links the deployment guide (a renamed or deleted file breaks a test, not a reader).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "coverage"]);
// [text](target) and [text](target "title"); images too. Reference-style links are not used.
const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await markdownFiles(path)));
    else if (entry.name.endsWith(".md")) out.push(path);
  }
  return out;
}

/** Relative link targets of one Markdown text, without anchors; code blocks excluded. */
function relativeTargets(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const targets: string[] = [];
  for (const match of text.matchAll(LINK)) {
    const target = match[1] ?? "";
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    const path = target.split("#")[0] ?? "";
    if (path !== "") targets.push(decodeURIComponent(path));
  }
  return targets;
}

describe("Markdown links", () => {
  it("finds relative links and ignores URLs, anchors and code", () => {
    const sample = '[a](docs/x.md#y) [b](https://e.org) [c](#top) `[d](no.md)` ![e](img.png "t")';
    expect(relativeTargets(sample)).toEqual(["docs/x.md", "img.png"]);
  });

  it("point at files that exist", async () => {
    const broken: string[] = [];
    const files = await markdownFiles(root);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const target of relativeTargets(await readFile(file, "utf8"))) {
        if (!existsSync(join(dirname(file), target)))
          broken.push(`${relative(root, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the README links the deployment guide and the performance page", async () => {
    const readme = relativeTargets(await readFile(join(root, "README.md"), "utf8"));
    expect(readme).toContain("docs/deployment.md");
    expect(readme).toContain("docs/performance.md");
  });
});
