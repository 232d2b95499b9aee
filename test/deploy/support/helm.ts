// Real helm on k8s/helm/switchyard: the documented values combinations (README "Install" and
// "Values"), `helm lint --strict` and `helm template` of each, and the strict validator
// (test/deploy/validator) on what they render.
import { spawn } from "node:child_process";
import { nodeTag } from "@switchyard/server";
import { type K8sObject, parseManifests } from "./k8s.js";
import { REPO_ROOT, runTool, type ToolResult } from "./tools.js";

export const CHART = "k8s/helm/switchyard";
/** The release name: its fullname is then "switchyard", so objects are named as in kustomize. */
export const RELEASE = "switchyard";
/**
 * The cluster version helm renders for. A helm built with `go install` has no version stamped
 * in and assumes Kubernetes 1.20, below the chart's kubeVersion.
 */
export const KUBE_VERSION = "1.33.0";

/** `--set` (strings, numbers, booleans) and `--set-json` (lists) values of one rendering. */
export interface HelmValues {
  set?: Readonly<Record<string, string | number | boolean>>;
  json?: Readonly<Record<string, unknown>>;
}

/** One documented way to install the chart. */
export interface HelmCase {
  name: string;
  values: HelmValues;
  /** The chart's front door and bus, as the invariants read them. */
  routing: "balancer" | "gateway" | "gateway-sid";
  bus: "redis" | "nats" | undefined;
  /** Whether the shared k8s invariants apply (in-chart bus, autoscaling on). */
  invariants: boolean;
}

/** One sid tag per node ordinal 0..count-1 of the release (switchyard-balancer's output). */
export function sidTags(count: number): string[] {
  return Array.from({ length: count }, (_, i) => nodeTag(`${RELEASE}-node-${i}`));
}

const BACKENDS = ["redis", "nats", "none"] as const;
const ROUTINGS = ["balancer", "gateway", "gateway-sid"] as const;

function combination(
  backend: (typeof BACKENDS)[number],
  routing: (typeof ROUTINGS)[number],
): HelmCase {
  return {
    name: `backend.type=${backend} routing=${routing}`,
    values: {
      set: { "backend.type": backend, routing },
      ...(routing === "gateway-sid" ? { json: { "gateway.sidTags": sidTags(8) } } : {}),
    },
    routing,
    bus: backend === "none" ? undefined : backend,
    invariants: true,
  };
}

/** Every documented combination: each bus with each front door, then the documented options. */
export const HELM_CASES: readonly HelmCase[] = [
  ...BACKENDS.flatMap((backend) => ROUTINGS.map((routing) => combination(backend, routing))),
  {
    name: "an existing Redis (backend.url)",
    values: { set: { "backend.url": "redis://redis.prod:6379" } },
    routing: "balancer",
    bus: "redis",
    invariants: false,
  },
  {
    name: "an existing NATS (backend.url) behind the cookie gateway, Permanent cookie",
    values: {
      set: {
        "backend.type": "nats",
        "backend.url": "nats://nats.prod:4222",
        routing: "gateway",
        "gateway.cookieLifetimeType": "Permanent",
        "gateway.absoluteTimeout": "12h",
      },
      json: { "gateway.hostnames": ["chat.example.com"] },
    },
    routing: "gateway",
    bus: "nats",
    invariants: false,
  },
  {
    name: "a fixed node count, no NetworkPolicies, a LoadBalancer balancer",
    values: {
      set: {
        "node.autoscaling.enabled": false,
        "node.replicas": 3,
        "networkPolicy.enabled": false,
        "balancer.service.type": "LoadBalancer",
      },
      json: { "balancer.service.annotations": { "example.com/lb": "internal" } },
    },
    routing: "balancer",
    bus: "redis",
    invariants: false,
  },
  {
    name: "behind an ingress: the balancer trusts X-Forwarded-For, the nodes read 2 hops",
    values: { set: { "balancer.trustForwardedFor": true, "node.trustForwardedFor": 2 } },
    routing: "balancer",
    bus: "redis",
    invariants: true,
  },
  {
    name: "gateway-sid with a fixed node count",
    values: {
      set: { routing: "gateway-sid", "node.autoscaling.enabled": false, "node.replicas": 2 },
      json: { "gateway.sidTags": sidTags(2) },
    },
    routing: "gateway-sid",
    bus: "redis",
    invariants: false,
  },
  {
    name: "image, pull secrets, extra env, scheduling and name overrides",
    values: {
      set: {
        "image.repository": "ghcr.io/acme/switchyard",
        "image.tag": "1.2.3",
        fullnameOverride: "chat",
        "nats.jetstream": false,
        "node.prometheusAnnotations": false,
      },
      json: {
        imagePullSecrets: [{ name: "registry" }],
        "node.extraEnv": [{ name: "LOG_LEVEL", value: "debug" }],
        "node.nodeSelector": { "kubernetes.io/os": "linux" },
        "node.tolerations": [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
        "node.podAnnotations": { "example.com/team": "chat" },
      },
    },
    routing: "balancer",
    bus: "redis",
    invariants: false,
  },
];

/** The helm arguments of `values`. */
export function valueArgs(values: HelmValues): string[] {
  return [
    ...Object.entries(values.set ?? {}).flatMap(([key, value]) => ["--set", `${key}=${value}`]),
    ...Object.entries(values.json ?? {}).flatMap(([key, value]) => [
      "--set-json",
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
}

/** `helm lint --strict` of the chart with `values`. */
export function helmLint(helm: string, values: HelmValues): Promise<ToolResult> {
  return runTool(helm, [
    "lint",
    "--strict",
    CHART,
    "--kube-version",
    KUBE_VERSION,
    ...valueArgs(values),
  ]);
}

/** `helm template` of the chart with `values` (the text; a failure is a result). */
export function helmTemplateText(helm: string, values: HelmValues): Promise<ToolResult> {
  return runTool(helm, [
    "template",
    RELEASE,
    CHART,
    "--kube-version",
    KUBE_VERSION,
    ...valueArgs(values),
  ]);
}

/** `helm template`, parsed; throws with helm's stderr when it fails. */
export async function helmTemplate(helm: string, values: HelmValues): Promise<K8sObject[]> {
  const result = await helmTemplateText(helm, values);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** One document's verdict from the strict validator. */
export interface StrictResult {
  kind: string;
  name: string;
  errors: string[];
}

/** Runs the strict validator on multi-document YAML text. */
export function validateStrict(validator: string, yaml: string): Promise<StrictResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(validator, [], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0 && code !== 1) {
        reject(new Error(`k8s-validator exited ${code}: ${stderr}`));
        return;
      }
      const results = stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as StrictResult);
      const failed = results.some((r) => r.errors.length > 0);
      if (failed !== (code === 1)) reject(new Error(`k8s-validator exit ${code} disagrees`));
      else resolve(results);
    });
    child.stdin.end(yaml);
  });
}
