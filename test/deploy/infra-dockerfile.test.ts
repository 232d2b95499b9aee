// infra/Dockerfile and .dockerignore, offline (no Docker engine): dockerfile-utils reports no
// problem, and the structure holds what the image promises: multi-stage, production
// node_modules only with every workspace's manifest and dist (so node_modules/@switchyard/*
// symlinks resolve), non-root, healthcheck, the standalone node as CMD, and every COPY source
// present in the build context (the repository root minus .dockerignore).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { type DockerInstruction, dockerInstructions, readRepoFile } from "./support/compose.js";
import { REPO_ROOT } from "./support/tools.js";

const dockerfile = readRepoFile("infra/Dockerfile");
const instructions = dockerInstructions(dockerfile);
const ignorePatterns = readRepoFile(".dockerignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const workspaces = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { workspaces: string[] }
).workspaces;

interface Stage {
  name: string | undefined;
  from: string;
  body: DockerInstruction[];
}

/** The stages, each with its FROM image and instructions. */
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [from = "", , name] = instruction.args.replace(/^--\S+\s+/, "").split(/\s+/);
      out.push({ name, from, body: [] });
    } else {
      out.at(-1)?.body.push(instruction);
    }
  }
  return out;
}

/** The value of an `ARG NAME=value` before the first FROM. */
function globalArg(name: string): string | undefined {
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") return undefined;
    const match = new RegExp(`^${name}=(\\S+)$`).exec(instruction.args);
    if (instruction.keyword === "ARG" && match) return match[1];
  }
  return undefined;
}

/** `COPY [--flags] src... dest` → flags, sources, destination. */
function parseCopy(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith("--"));
  const paths = words.filter((word) => !word.startsWith("--"));
  const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
}

/** Whether .dockerignore keeps `path` (repository-relative) out of the build context. */
function ignored(path: string): boolean {
  let out = false;
  for (const pattern of ignorePatterns) {
    const negated = pattern.startsWith("!");
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, "");
    const source = glob
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => {
        if (part === "**/") return "(?:.*/)?";
        if (part === "**") return ".*";
        if (part === "*") return "[^/]*";
        if (part === "?") return "[^/]";
        return part.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) out = !negated;
  }
  return out;
}

describe("infra/Dockerfile: lint", () => {
  it("dockerfile-utils reports no problem (errors, warnings or hints)", () => {
    const problems = validate(dockerfile).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it("the linter does catch a planted mistake (so the empty result above means something)", () => {
    const broken = `${dockerfile.replace("RUN npm run build", "RUNN npm run build")}\nEXPOSE abc\n`;
    expect(validate(broken).length).toBeGreaterThanOrEqual(2);
  });
});

describe("infra/Dockerfile: structure", () => {
  const all = stages();
  const runtime = all.at(-1);
  const keyword = (stage: Stage | undefined, word: string): DockerInstruction[] =>
    stage?.body.filter((instruction) => instruction.keyword === word) ?? [];

  it("has named build, deps and runtime stages on the Debian slim Node 20 image", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((stage) => stage.name)).toEqual(["build", "deps", "runtime"]);
    const image = globalArg("NODE_IMAGE");
    expect(image).toBe("node:20-bookworm-slim");
    for (const stage of all) expect(stage.from).toMatch(/^\$\{NODE_IMAGE\}$/);
  });

  it("builds with npm ci + npm run build, and installs production dependencies apart", () => {
    const runs = (name: string): string =>
      keyword(
        all.find((stage) => stage.name === name),
        "RUN",
      )
        .map((run) => run.args)
        .join("\n");
    expect(runs("build")).toMatch(/\bnpm ci\b/);
    expect(runs("build")).toMatch(/\bnpm run build\b/);
    expect(runs("deps")).toMatch(/\bnpm ci\b.*--omit=dev/);
    expect(keyword(runtime, "RUN")).toEqual([]); // nothing installed or built in the final stage
  });

  it("copies every workspace's manifest into both install stages and its dist into runtime", () => {
    const copies = (name: string): ReturnType<typeof parseCopy>[] =>
      keyword(
        all.find((stage) => stage.name === name),
        "COPY",
      ).map((copy) => parseCopy(copy.args));
    for (const stageName of ["build", "deps"]) {
      const sources = copies(stageName).flatMap((copy) => copy.sources);
      expect(sources).toContain("package-lock.json");
      for (const ws of workspaces) expect(sources, stageName).toContain(`${ws}/package.json`);
    }
    const fromDeps = copies("runtime").filter((copy) => copy.from === "deps");
    expect(fromDeps.map((copy) => copy.sources[0])).toEqual(
      expect.arrayContaining(["/app/node_modules", "/app/packages"]),
    );
    const dists = copies("runtime").filter((copy) => copy.from === "build");
    for (const ws of workspaces) {
      expect(dists).toContainEqual({
        from: "build",
        sources: [`/app/${ws}/dist`],
        dest: `./${ws}/dist`,
      });
    }
    // Everything else comes from the demo: no source tree, no tests, no dev node_modules.
    const fromContext = copies("runtime").filter((copy) => copy.from === undefined);
    expect(fromContext.flatMap((copy) => copy.sources)).toEqual(["examples/demo"]);
  });

  it("COPY --from names an earlier stage; context sources exist and are not .dockerignored", () => {
    const names: string[] = [];
    for (const stage of all) {
      for (const copy of keyword(stage, "COPY").map((instruction) => parseCopy(instruction.args))) {
        if (copy.from !== undefined) {
          expect(names, `COPY --from=${copy.from}`).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect(existsSync(join(REPO_ROOT, source)), `${source} missing`).toBe(true);
          expect(ignored(source), `${source} is excluded by .dockerignore`).toBe(false);
        }
      }
      if (stage.name !== undefined) names.push(stage.name);
    }
  });

  it("runs as a non-root user with NODE_ENV=production, port 3000 and a fetch healthcheck", () => {
    const users = keyword(runtime, "USER").map((user) => user.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(keyword(runtime, "ENV").map((env) => env.args)).toContain("NODE_ENV=production");
    expect(keyword(runtime, "EXPOSE").map((expose) => expose.args)).toEqual(["3000"]);
    const [healthcheck] = keyword(runtime, "HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/healthz/);
    expect(healthcheck?.args).toContain("process.env.PORT");
    expect(healthcheck?.args).not.toMatch(/curl|wget/); // not in the slim image
  });

  it("starts the standalone node, which exists in the repository", () => {
    const [cmd, ...more] = keyword(runtime, "CMD");
    expect(more).toEqual([]);
    expect(JSON.parse(cmd?.args ?? "null")).toEqual(["node", "examples/demo/node.mjs"]);
    expect(existsSync(join(REPO_ROOT, "examples/demo/node.mjs"))).toBe(true);
    expect(keyword(runtime, "ENTRYPOINT")).toEqual([]);
  });
});

describe(".dockerignore", () => {
  it("keeps host builds and VCS data out of the context", () => {
    for (const path of [
      "node_modules",
      "node_modules/ws/index.js",
      "packages/server/node_modules/ws",
      "packages/server/dist/index.js",
      ".git/HEAD",
      "packages/server/tsconfig.tsbuildinfo",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("keeps what the build needs in the context", () => {
    for (const path of [
      "package.json",
      "package-lock.json",
      "tsconfig.base.json",
      "packages/server/src/index.ts",
      "packages/client/scripts/bundle.mjs",
      "examples/demo/public/index.html",
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});
