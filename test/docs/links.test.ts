// Every relative link in the repository's Markdown points at a file or folder that exists, every
// Markdown document a source file or doc names (`docs/protocol.md §1.4` in a comment) is in the
// repository, and the README links the deployment guide (a renamed, deleted or never-committed
// document breaks a test, not a reader: the repository stands alone).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
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

// Files whose text may name documents. This file is left out: its samples name missing ones.
const CITING = /\.(ts|mts|js|sh|md|ya?ml)$/;
const SELF = relative(root, import.meta.filename);
// A document name: `x.md`, `docs/x.md`, `../../docs/x.md`; not inside a URL or a longer path.
const CITED = /(?<![\w./:@-])((?:\.\.?\/)*[\w][\w./-]*\.md)\b/g;

async function citingFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await citingFiles(path)));
    else if (CITING.test(entry.name) && relative(root, path) !== SELF) out.push(path);
  }
  return out;
}

/** Every document name in a text (code and comments included). */
function citedDocuments(text: string): string[] {
  return [...text.matchAll(CITED)].map((match) => match[1] ?? "");
}

/** The nearest folder above `file` with a package.json (a package's README is cited bare). */
function packageRoot(file: string): string {
  let dir = dirname(file);
  while (dir.startsWith(root) && dir !== root) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  return root;
}

/**
 * Whether `name`, cited in `file`, is a file of this repository: beside the file, from its
 * package, from the repository root, or in docs/ (`join(root, "docs", "errors.md")`).
 */
function citationResolves(file: string, name: string): boolean {
  for (const base of [dirname(file), packageRoot(file), root, join(root, "docs")]) {
    const path = resolve(base, name);
    if ((path === root || path.startsWith(root + sep)) && existsSync(path)) return true;
  }
  return false;
}

describe("Cited documents", () => {
  it("finds document names and ignores URLs and longer paths", () => {
    const sample =
      "// see docs/protocol.md §1.4, protocol.md and ../../docs/x.md; https://e.org/a/README.md";
    expect(citedDocuments(sample)).toEqual(["docs/protocol.md", "protocol.md", "../../docs/x.md"]);
  });

  it("refuses a document outside the repository even when it exists there", () => {
    const file = join(root, "docs", "checklists", "x.md");
    expect(citationResolves(file, "../protocol.md")).toBe(true);
    expect(citationResolves(file, "../../../wt-elsewhere/protocol.md")).toBe(false);
    expect(citationResolves(file, "no-such-document.md")).toBe(false);
    expect(citationResolves(join(root, "docs", "compat.md"), "../../x/protocol.md")).toBe(false);
  });

  it("are files of the repository, for every source file and doc that names one", async () => {
    const missing: string[] = [];
    const files = await citingFiles(root);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      for (const name of citedDocuments(await readFile(file, "utf8"))) {
        if (!citationResolves(file, name)) missing.push(`${relative(root, file)} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

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
