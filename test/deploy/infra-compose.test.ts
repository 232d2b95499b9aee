// infra/compose.yaml (+ the compose.nats.yaml override), offline: dclint (compose-spec schema
// and its rules, configured in infra/.dclintrc.yaml), yamllint, and the structure the cluster
// depends on: redis, nats, 3 nodes whose SWITCHYARD_NODE_ID is their service name, 2 balancer replicas
// listing exactly those nodes, one published (loopback by default) port, healthchecks with
// service_healthy dependencies, and stop grace periods above the shutdown bounds.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_HEALTH_CHECK } from "@switchyard/sticky";
import { DCLinter } from "dclint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type ComposeService,
  durationMs,
  interpolate,
  loadCompose,
  readRepoFile,
  serviceEnv,
} from "./support/compose.js";
import { REPO_ROOT, yamllint } from "./support/tools.js";

const FILES = ["infra/compose.yaml", "infra/compose.nats.yaml"];
const compose = loadCompose("infra/compose.yaml");
const services = compose.services;
const nodeNames = Object.keys(services).filter((name) => /^node-\d+$/.test(name));

type LinterConfig = ConstructorParameters<typeof DCLinter>[0];

// dclint's .d.ts files import each other without extensions, so under NodeNext resolution
// its result types come out as `any`: the shape the tests read, stated here.
interface LintResult {
  filePath: string;
  messages: { line: number; rule: string; message: string }[];
}

function lint(paths: string[]): { file: string; line: number; rule: string; message: string }[] {
  const config = parse(readRepoFile("infra/.dclintrc.yaml")) as LinterConfig;
  const linter = new DCLinter(config);
  const results: LintResult[] = linter.lintFiles(
    paths.map((path) => `${REPO_ROOT}/${path}`),
    false,
  );
  return results.flatMap((result) =>
    result.messages.map((m) => ({
      file: result.filePath,
      line: m.line,
      rule: m.rule,
      message: m.message,
    })),
  );
}

function upstreams(balancer: ComposeService): { id: string; url: URL }[] {
  return (serviceEnv(balancer)["SWITCHYARD_UPSTREAMS"] ?? "")
    .split(",")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const [id = "", url = ""] = pair.split("=");
      return { id, url: new URL(url) };
    });
}

describe("compose files: linters", () => {
  it("dclint: schema-valid, no rule violation (errors and warnings)", () => {
    expect(lint(FILES)).toEqual([]);
  });

  it("dclint catches a schema error and a security rule (the linter is live)", () => {
    const dir = mkdtempSync(join(tmpdir(), "compose-"));
    try {
      const broken = readRepoFile("infra/compose.yaml")
        .replace("    restart: unless-stopped\n", "    restartt: unless-stopped\n")
        .replace(/"\$\{SWITCHYARD_BIND[^"]*"/, '"8080:8080"')
        .replace("# dclint disable-line no-unbound-port-interfaces\n", "\n");
      writeFileSync(join(dir, "compose.yaml"), broken);
      const schemaRules = lint([relative(REPO_ROOT, join(dir, "compose.yaml"))]).map((m) => m.rule);
      expect(schemaRules).toContain("invalid-schema");
      writeFileSync(
        join(dir, "compose.yaml"),
        broken.replace("restartt: unless-stopped", "restart: unless-stopped"),
      );
      const rules = lint([relative(REPO_ROOT, join(dir, "compose.yaml"))]).map((m) => m.rule);
      expect(rules).toContain("no-unbound-port-interfaces");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("yamllint (strict, repository config) is clean", async () => {
    const result = await yamllint([...FILES, "infra/.dclintrc.yaml"]);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("compose.yaml: structure", () => {
  it("is a named project with redis, nats, 3 nodes, a balancer and one front", () => {
    expect(compose.name).toBe("switchyard");
    expect(Object.keys(services).sort()).toEqual(
      ["balancer", "front", "nats", "node-1", "node-2", "node-3", "redis"].sort(),
    );
    expect(nodeNames).toEqual(["node-1", "node-2", "node-3"]);
    expect(services["redis"]?.image).toMatch(/^redis:\d/);
    expect(services["nats"]?.image).toMatch(/^nats:\d/);
    expect(services["front"]?.image).toMatch(/^haproxy:\d/);
  });

  it("runs nodes and balancer from the switchyard image built by infra/Dockerfile", () => {
    for (const name of [...nodeNames, "balancer"]) {
      const service = services[name] ?? {};
      expect(interpolate(service.image ?? "")).toBe("switchyard:local");
      expect(service.build).toEqual({ context: "..", dockerfile: "infra/Dockerfile" });
    }
    for (const name of nodeNames) expect(services[name]?.command).toBeUndefined(); // image CMD
    expect(services["balancer"]?.command).toEqual([
      "node",
      "packages/sticky/dist/bin/switchyard-balancer.js",
    ]);
  });

  it("names each node by SWITCHYARD_NODE_ID = its service name, with Redis by default", () => {
    for (const name of nodeNames) {
      const env = serviceEnv(services[name] ?? {});
      expect(env["SWITCHYARD_NODE_ID"]).toBe(name);
      expect(env["PORT"]).toBe("3000");
      expect(env["REDIS_URL"]).toBe("redis://redis:6379");
      expect(env["NATS_URL"]).toBeUndefined();
      expect(services[name]?.depends_on).toEqual({ redis: { condition: "service_healthy" } });
    }
  });

  it("the NATS override empties REDIS_URL, sets NATS_URL and waits for nats", () => {
    const merged = loadCompose(...FILES);
    for (const name of nodeNames) {
      const env = serviceEnv(merged.services[name] ?? {});
      expect(env["SWITCHYARD_NODE_ID"]).toBe(name);
      expect(env["REDIS_URL"]).toBe("");
      expect(env["NATS_URL"]).toBe("nats://nats:4222");
      expect(merged.services[name]?.depends_on).toMatchObject({
        nats: { condition: "service_healthy" },
      });
    }
    expect(Object.keys(merged.services).sort()).toEqual(Object.keys(services).sort());
  });

  it("runs 2 balancer replicas whose upstreams are exactly the nodes, by id and DNS name", () => {
    const balancer = services["balancer"] ?? {};
    expect(balancer.deploy?.replicas).toBe(2);
    const list = upstreams(balancer);
    expect(list.map((u) => u.id)).toEqual(nodeNames);
    for (const { id, url } of list) {
      const node = services[url.hostname];
      expect(node, `${url.hostname} is not a service`).toBeDefined();
      expect(serviceEnv(node ?? {})["SWITCHYARD_NODE_ID"]).toBe(id);
      expect(url.port).toBe(serviceEnv(node ?? {})["PORT"]);
      expect(url.protocol).toBe("http:");
    }
    const env = serviceEnv(balancer);
    expect(env["SWITCHYARD_BALANCER_PORT"]).toBe("8080");
    expect(env["SWITCHYARD_NEW_SESSIONS"]).toBe("least-connections");
    expect(balancer.depends_on).toEqual(
      Object.fromEntries(nodeNames.map((name) => [name, { condition: "service_healthy" }])),
    );
  });

  it("publishes exactly one host port, on loopback by default, in front of the balancers", () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => ({ name, port: interpolate(String(port)) })),
    );
    expect(published).toEqual([{ name: "front", port: "127.0.0.1:8080:8080" }]);
    expect(interpolate(String(services["front"]?.ports?.[0]), { SWITCHYARD_PORT: "9000" })).toBe(
      "127.0.0.1:9000:8080",
    );
    const haproxy = readRepoFile("infra/haproxy.cfg");
    expect(haproxy).toMatch(/^\s*mode http$/m);
    expect(haproxy).toMatch(/^\s*bind :8080$/m);
    const template = /server-template \S+ (\d+) balancer:(\d+)/.exec(haproxy);
    expect(Number(template?.[1])).toBeGreaterThanOrEqual(
      Number(services["balancer"]?.deploy?.replicas),
    );
    expect(template?.[2]).toBe(serviceEnv(services["balancer"] ?? {})["SWITCHYARD_BALANCER_PORT"]);
    expect(services["front"]?.volumes).toContain(
      "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro",
    );
  });

  it("counts clients, not the proxies, in every per-address limit: X-Forwarded-For end to end", () => {
    // The front appends the client's address (HTTP mode; a TCP front would hide it)…
    const haproxy = readRepoFile("infra/haproxy.cfg");
    expect(haproxy).not.toMatch(/^\s*mode tcp$/m);
    expect(haproxy).toMatch(/^\s*option forwardfor$/m);
    // …the balancers read it (the front is their only client)…
    expect(serviceEnv(services["balancer"] ?? {})["SWITCHYARD_TRUST_FORWARDED_FOR"]).toBe("1");
    expect(services["balancer"]?.ports).toBeUndefined();
    // …and the nodes read it two hops back: the front's entry, before the balancer's.
    for (const name of nodeNames) {
      expect(serviceEnv(services[name] ?? {})["TRUST_FORWARDED_FOR"], name).toBe("2");
      expect(services[name]?.ports, `${name} must be reachable only through the front`).toBe(
        undefined,
      );
    }
    expect(serviceEnv(services["node-1"] ?? {}, { TRUST_FORWARDED_FOR: "0" })).toMatchObject({
      TRUST_FORWARDED_FOR: "0",
    });
  });

  it("gives every service a healthcheck and every dependency a service_healthy condition", () => {
    for (const [name, service] of Object.entries(services)) {
      // Nodes inherit the image's HEALTHCHECK (checked in infra-dockerfile.test.ts).
      if (nodeNames.includes(name)) expect(service.healthcheck).toBeUndefined();
      else expect(service.healthcheck?.test, name).toBeDefined();
      const deps = service.depends_on ?? {};
      expect(Array.isArray(deps), `${name}: depends_on as a list has no condition`).toBe(false);
      for (const [dep, spec] of Object.entries(deps)) {
        expect(services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(spec, `${name} -> ${dep}`).toEqual({ condition: "service_healthy" });
      }
    }
  });

  it("lets a node drain past the balancers' health checks and stop before SIGKILL", () => {
    const { intervalMs, fall } = DEFAULT_HEALTH_CHECK;
    for (const name of nodeNames) {
      const service = services[name] ?? {};
      const env = serviceEnv(service);
      const timeout = Number(env["SHUTDOWN_TIMEOUT_MS"]);
      const drain = Number(env["SHUTDOWN_DRAIN_MS"]);
      expect(drain).toBeGreaterThanOrEqual(intervalMs * fall);
      expect(drain).toBeLessThan(timeout);
      // node.mjs exits at the latest 1.5 s after the bound.
      expect(durationMs(service.stop_grace_period ?? "10s")).toBeGreaterThan(timeout + 1_500);
      expect(Number(env["PING_INTERVAL_MS"])).toBe(25_000);
      expect(Number(env["PING_TIMEOUT_MS"])).toBe(20_000);
    }
    // The balancer drains for up to 10 s (its default) before it exits.
    expect(durationMs(services["balancer"]?.stop_grace_period ?? "10s")).toBeGreaterThan(10_000);
  });

  it("reads its configuration from compose variables, with defaults", () => {
    const env = serviceEnv(services["node-1"] ?? {}, {
      REDIS_URL: "redis://elsewhere:6380",
      SHUTDOWN_TIMEOUT_MS: "20000",
    });
    expect(env["REDIS_URL"]).toBe("redis://elsewhere:6380");
    expect(env["SHUTDOWN_TIMEOUT_MS"]).toBe("20000");
    const balancerEnv = serviceEnv(services["balancer"] ?? {}, {
      SWITCHYARD_NEW_SESSIONS: "consistent-hash",
    });
    expect(balancerEnv["SWITCHYARD_NEW_SESSIONS"]).toBe("consistent-hash");
  });
});
