// k8s/helm/switchyard read as files (helm-chart.test.ts runs the real helm on it): Chart.yaml
// fields, values.yaml against the README table and the templates (every value documented, referenced and existing), the templates
// declaring the same kinds as the kustomize manifests, sound template structure, and defaults
// that agree with the kustomize base.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { nodeTag } from "@switchyard/server";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  declaredKinds,
  hasPath,
  helperNames,
  leafValues,
  readmeValues,
  templateProblems,
  type Values,
  valueRefs,
} from "./support/helm-values.js";
import {
  flags,
  type K8sObject,
  kustomizeTargets,
  only,
  type PodOwner,
  preStopMs,
  renderKustomize,
} from "./support/k8s.js";
import { REPO_ROOT } from "./support/tools.js";

const CHART = join(REPO_ROOT, "k8s/helm/switchyard");
const read = (path: string): string => readFileSync(join(CHART, path), "utf8");
const values = parse(read("values.yaml")) as Values;
const leaves = leafValues(values);
const templateFiles = readdirSync(join(CHART, "templates")).sort();
const templates = new Map(templateFiles.map((f) => [f, read(`templates/${f}`)]));
const allTemplates = [...templates.values()].join("\n");

describe("Chart.yaml", () => {
  const chart = parse(read("Chart.yaml")) as Record<string, unknown>;
  const serverVersion = (
    JSON.parse(readFileSync(join(REPO_ROOT, "packages/server/package.json"), "utf8")) as {
      version: string;
    }
  ).version;

  it("is a v2 application chart named after its directory", () => {
    expect(chart).toMatchObject({ apiVersion: "v2", name: "switchyard", type: "application" });
    expect(chart["version"]).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(typeof chart["description"]).toBe("string");
    expect(chart["kubeVersion"]).toMatch(/^>=1\.\d+/);
  });

  it("ships the version of the switchyard packages as appVersion", () => {
    expect(chart["appVersion"]).toBe(serverVersion);
  });

  it("has the templates helm expects", () => {
    expect(templateFiles).toEqual(expect.arrayContaining(["_helpers.tpl", "NOTES.txt"]));
  });
});

describe("values.yaml", () => {
  const documented = readmeValues(read("README.md"));

  it("has every leaf key documented in the README table, with its default", () => {
    expect([...documented.keys()]).toEqual([...leaves.keys()]);
    for (const [key, value] of leaves) expect(documented.get(key), key).toBe(JSON.stringify(value));
  });

  it("has every value the templates reference", () => {
    const missing = [...valueRefs(allTemplates)].filter((path) => !hasPath(values, path));
    expect(missing).toEqual([]);
  });

  it("has no value the templates ignore", () => {
    const refs = [...valueRefs(allTemplates)];
    const unused = [...leaves.keys()].filter(
      (key) => !refs.some((ref) => key === ref || key.startsWith(`${ref}.`)),
    );
    expect(unused).toEqual([]);
  });

  it("catches an undocumented or unreferenced key (the checks can fail)", () => {
    const table = "| `a.b` | `1` | documented |\n| `c` | `[]` | |\n";
    expect(() => readmeValues(table)).toThrow("c has no description");
    const documented = readmeValues(table.split("\n")[0] ?? "");
    const extended = leafValues({ a: { b: 1 }, extra: { knob: 1 }, empty: {} });
    expect([...extended.keys()].filter((key) => !documented.has(key))).toEqual([
      "extra.knob",
      "empty",
    ]);
    expect(hasPath(values, "node.pingIntervalMsX")).toBe(false);
    expect(valueRefs("{{ $.Values.a.b }} {{ .Values.c | quote }}")).toEqual(new Set(["a.b", "c"]));
  });
});

describe("routing=gateway-sid", () => {
  it("takes the values `switchyard-balancer --print helm-values` writes, one tag per ordinal", async () => {
    const ids = Array.from({ length: 3 }, (_, i) => `chat-switchyard-node-${i}`);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=source",
        join(REPO_ROOT, "packages/sticky/src/bin/switchyard-balancer.ts"),
        "--print",
        "helm-values",
        ...ids.flatMap((id) => ["--upstream", `${id}=http://x:1`]),
      ],
      { cwd: REPO_ROOT },
    );
    const generated = parse(stdout) as Values;
    for (const key of leafValues(generated).keys()) expect(hasPath(values, key), key).toBe(true);
    expect(generated).toEqual({
      routing: "gateway-sid",
      gateway: { sidTags: ids.map((id) => nodeTag(id)) },
    });
    const route = templates.get("httproute.yaml") ?? "";
    expect(route).toContain("{{- range $i, $tag := .Values.gateway.sidTags }}");
    expect(route).toContain('value: {{ printf "^%s" $tag | quote }}');
    // The rule's backend is the per-ordinal Service that node-services.yaml declares.
    const backend = 'name: {{ include "switchyard.nodeName" $ }}-{{ $i }}';
    expect(route).toContain(backend);
    expect(templates.get("node-services.yaml")).toContain(backend);
    expect(templates.get("node-services.yaml")).toContain(
      'statefulset.kubernetes.io/pod-name: {{ include "switchyard.nodeName" $ }}-{{ $i }}',
    );
    expect(templates.get("_helpers.tpl")).toContain(
      '(ne (len .Values.gateway.sidTags) (int (include "switchyard.nodeOrdinals" .)))',
    );
  });
});

describe("templates", () => {
  it("are structurally sound Go templates", () => {
    for (const [file, text] of templates) expect(templateProblems(text), file).toEqual([]);
    expect(templateProblems("{{ if .x }}a")).toEqual(["1 blocks but 0 ends"]);
    expect(templateProblems("{{ if .x }}{{ end }")).toEqual(['2 "{{" but 1 "}}"']);
  });

  it("never stack two label helpers into one map (duplicate keys break the release)", () => {
    const stacked = /include "switchyard\.\w*[lL]abels".*\n.*include "switchyard\.\w*[lL]abels"/;
    for (const [file, text] of templates) expect(stacked.test(text), file).toBe(false);
    expect(
      stacked.test(
        '{{ include "switchyard.labels" . }}\n{{ include "switchyard.selectorLabels" x }}',
      ),
    ).toBe(true);
  });

  it("include only defined helpers, and every helper is used", () => {
    const { defined, included } = helperNames(allTemplates);
    expect([...included].filter((name) => !defined.has(name))).toEqual([]);
    expect([...defined].filter((name) => !included.has(name))).toEqual([]);
  });

  it("declare the same kinds as the kustomize base and overlays", async () => {
    const rendered = new Set<string>();
    for (const dir of kustomizeTargets()) {
      for (const object of await renderKustomize(dir)) rendered.add(object.kind);
    }
    const declared = new Set([...templates.values()].flatMap((t) => [...declaredKinds(t)]));
    expect([...declared].sort()).toEqual([...rendered].sort());
  });
});

describe("defaults agree with the kustomize base", () => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    objects = await renderKustomize("k8s/overlays/redis");
  });
  const value = (path: string): unknown => leaves.get(path);

  it("for the node settings, probes' timing and the autoscaler", () => {
    const node = only(objects, "StatefulSet", "switchyard-node") as PodOwner;
    const container = node.spec.template.spec?.containers[0];
    const config = only(objects, "ConfigMap", container?.envFrom?.[0]?.configMapRef?.name).data;
    expect(config).toMatchObject({
      PORT: String(value("node.port")),
      PING_INTERVAL_MS: String(value("node.pingIntervalMs")),
      PING_TIMEOUT_MS: String(value("node.pingTimeoutMs")),
      SHUTDOWN_TIMEOUT_MS: String(value("node.shutdownTimeoutMs")),
      SHUTDOWN_DRAIN_MS: String(value("node.shutdownDrainMs")),
      TRUST_FORWARDED_FOR: String(value("node.trustForwardedFor")),
    });
    expect(node.spec.template.spec?.terminationGracePeriodSeconds).toBe(
      value("node.terminationGracePeriodSeconds"),
    );
    expect(container && preStopMs(container)).toBe(
      Number(value("node.preStopSleepSeconds")) * 1000,
    );
    expect(only(objects, "HorizontalPodAutoscaler").spec).toMatchObject({
      minReplicas: value("node.autoscaling.minReplicas"),
      maxReplicas: value("node.autoscaling.maxReplicas"),
    });
    expect(value("node.resources.requests.cpu")).toBe(container?.resources?.requests?.["cpu"]);
  });

  it("for the balancer flags and images", () => {
    const balancer = only(objects, "Deployment", "switchyard-balancer") as PodOwner;
    const container = balancer.spec.template.spec?.containers[0];
    const args = flags(container?.args);
    expect(args.get("port")).toEqual([String(value("balancer.port"))]);
    expect(args.get("new-sessions")).toEqual([value("balancer.newSessions")]);
    expect(args.get("idle-timeout-ms")).toEqual([String(value("balancer.idleTimeoutMs"))]);
    expect(args.get("health-interval-ms")).toEqual([String(value("balancer.healthIntervalMs"))]);
    expect(args.get("drain-timeout-ms")).toEqual([String(value("balancer.drainTimeoutMs"))]);
    expect(value("balancer.trustForwardedFor")).toBe(false);
    expect(container?.args).not.toContain("--trust-forwarded-for");
    expect(container?.image).toBe(
      `${value("image.repository")}:${read("Chart.yaml").match(/appVersion: "(.+)"/)?.[1]}`,
    );
    const redis = only(objects, "StatefulSet", "switchyard-redis") as PodOwner;
    expect(redis.spec.template.spec?.containers[0]?.image).toBe(
      `${value("redis.image.repository")}:${value("redis.image.tag")}`,
    );
    expect(allTemplates).toContain(
      "--upstream={{ $node }}-{{ $i }}=http://{{ $node }}-{{ $i }}.{{ $headless }}",
    );
  });
});
