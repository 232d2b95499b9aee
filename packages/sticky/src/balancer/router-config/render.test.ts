import { nodeTag } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { StickyErrorCode } from "../../errors.js";
import { parseCli } from "../cli-options.js";
import { commandLine, renderPrint } from "./render.js";

/** Runs `switchyard-balancer <argv>` in process, as the CLI does. */
function print(argv: string[]): string {
  const command = parseCli(argv, {});
  if (command.kind !== "print") throw new Error(`not a print command: ${command.kind}`);
  return renderPrint(command, argv);
}

const TWO = ["--upstream", "alpha=http://10.0.0.1:3000", "--upstream", "beta.1=http://[::1]:4000"];

describe("--print nginx", () => {
  it("maps each node's tag to its own upstream and places new sessions by least connections", () => {
    const text = print(["--print", "nginx", "--port", "9000", ...TWO]);
    expect(text).toContain(`"~^${nodeTag("alpha")}" switchyard_node_alpha;  # alpha`);
    expect(text).toContain(`"~^${nodeTag("beta.1")}" switchyard_node_beta_1;  # beta.1`);
    expect(text).toMatch(/upstream switchyard_new_sessions \{\n {4}least_conn;\n/);
    expect(text).toContain("    server [::1]:4000 max_fails=2 fail_timeout=10s;");
    expect(text).toContain("    listen 9000;");
    expect(text).toContain("proxy_read_timeout 60s;");
  });

  it("uses a consistent hash of the client address and the idle timeout when asked", () => {
    const text = print([
      "--print",
      "nginx",
      "--new-sessions",
      "consistent-hash",
      "--idle-timeout-ms",
      "90500",
      ...TWO,
    ]);
    expect(text).toContain("    hash $remote_addr consistent;");
    expect(text).not.toContain("least_conn");
    expect(text).toContain("proxy_read_timeout 91s;");
  });
});

describe("--print haproxy / haproxy-map", () => {
  it("checks the health path on the new-session backend only", () => {
    const text = print(["--print", "haproxy", "--health-path", "/ready", ...TWO]);
    expect(text).toContain("  option httpchk GET /ready");
    expect(text).toContain("  server alpha 10.0.0.1:3000 check");
    expect(text).toMatch(/backend switchyard_node_alpha\n {2}server alpha 10\.0\.0\.1:3000\n/);
    expect(text).toContain("map_beg(/etc/haproxy/switchyard-sid.map,switchyard_new_sessions)");
  });

  it("drops the checks with --no-health-check and hashes the source when asked", () => {
    const text = print([
      "--print",
      "haproxy",
      "--no-health-check",
      "--new-sessions",
      "consistent-hash",
      ...TWO,
    ]);
    expect(text).not.toContain("httpchk");
    expect(text).not.toMatch(/ check$/m);
    expect(text).toContain("  balance source\n  hash-type consistent\n");
  });

  it("maps every tag to its node's backend", () => {
    const lines = print(["--print", "haproxy-map", ...TWO])
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(lines).toEqual([
      `${nodeTag("alpha")} switchyard_node_alpha`,
      `${nodeTag("beta.1")} switchyard_node_beta_1`,
    ]);
  });
});

describe("--print httproute", () => {
  const K8S = ["--upstream", "web-0=http://web-0:3000", "--upstream", "web-1=http://web-1:3000"];

  it("matches the sid's tag per node Service and sends the rest to the ready nodes", () => {
    const text = print(["--print", "httproute", "--new-sessions-url", "http://web:80", ...K8S]);
    expect(text).toContain(
      `              value: "^${nodeTag("web-1")}"\n      backendRefs:\n        - name: web-1\n          port: 3000`,
    );
    expect(text).toMatch(/value: \/\n {6}backendRefs:\n {8}- name: web\n {10}port: 80\n/);
    expect(text).toContain("  name: switchyard\n");
  });

  it("refuses hosts that are not Service names, a missing Service and more than 15 nodes", () => {
    expect(() => print(["--print", "httproute", ...K8S])).toThrow("--new-sessions-url");
    expect(() =>
      print(["--print", "httproute", "--new-sessions-url", "http://web:80", ...TWO]),
    ).toThrow("10.0.0.1 is not a Service name");
    const many = Array.from({ length: 16 }, (_, i) => ["--upstream", `n${i}=http://n${i}:1`]);
    expect(() =>
      print(["--print", "httproute", "--new-sessions-url", "http://web:80", ...many.flat()]),
    ).toThrow("at most 16 rules");
  });
});

describe("--print helm-values", () => {
  it("lists the tags in the upstreams' order", () => {
    const text = print(["--print", "helm-values", ...TWO]);
    expect(text).toContain(
      `  sidTags:\n    - "${nodeTag("alpha")}"  # alpha\n    - "${nodeTag("beta.1")}"`,
    );
    expect(text).toContain("routing: gateway-sid\n");
  });
});

describe("print commands", () => {
  it("quote the command line that regenerates them, one flag per line", () => {
    expect(
      commandLine(["--print", "nginx", "--upstream", "a=http://a:1", "--cookie", "it's"]),
    ).toBe(
      "switchyard-balancer \\\n#     --print nginx \\\n#     --upstream a=http://a:1 \\\n#     --cookie 'it'\\''s'",
    );
    expect(print(["--print", "nginx", ...TWO])).toContain(
      "#   switchyard-balancer \\\n#     --print nginx \\\n#     --upstream alpha=http://10.0.0.1:3000 \\\n",
    );
  });

  it("validate the upstreams as the balancer does (collisions, names, formats)", () => {
    expect(() => print(["--print", "apache", ...TWO])).toThrow("--print must be one of");
    expect(() => print(["--print", "nginx", "--upstream", "a=https://a:1"])).toThrow("http://");
    expect(() =>
      print(["--print", "nginx", "--upstream", "a.b=http://x:1", "--upstream", "a_b=http://y:1"]),
    ).toThrow("reduce to the same name a_b");
    let collided: unknown;
    const ids = findCollision();
    try {
      print([
        "--print",
        "nginx",
        "--upstream",
        `${ids[0]}=http://x:1`,
        "--upstream",
        `${ids[1]}=http://y:1`,
      ]);
    } catch (error) {
      collided = error;
    }
    expect(collided).toMatchObject({ code: StickyErrorCode.TAG_COLLISION });
  });
});

/** Two node ids with the same tag (bounded search: 24-bit tags collide within ~2^12 ids). */
function findCollision(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 200_000; i++) {
    const id = `n${i}`;
    const other = seen.get(nodeTag(id));
    if (other !== undefined) return [other, id];
    seen.set(nodeTag(id), id);
  }
  throw new Error("no collision found");
}
