// Offline checks of the Kubernetes manifests in k8s/: render a kustomization with
// `kubectl kustomize`, parse the multi-document YAML and validate every object against the
// Kubernetes schemas of kubernetes-models (Gateway API models for HTTPRoute). Unknown kinds are
// errors: an object the validator cannot check must not pass silently.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT, requireTool, runTool } from "./tools.js";

/** A parsed manifest. Fields are read through the typed helpers of the tests. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** A workload: an object with a label selector and a pod template. */
export interface PodOwner extends K8sObject {
  spec: { selector: { matchLabels?: Record<string, string> }; template: IPodTemplateSpec };
}

/** Views a parsed manifest as its kubernetes-models interface (after it validated). */
export function typed<T>(object: K8sObject): T {
  return object as unknown as T;
}

/** The kustomize base and every overlay, as paths relative to the repository root. */
export function kustomizeTargets(): string[] {
  const overlays = readdirSync(join(REPO_ROOT, "k8s/overlays"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `k8s/overlays/${entry.name}`)
    .sort();
  return ["k8s/base", ...overlays];
}

/** `kubectl kustomize <dir>`, parsed; throws with kubectl's stderr when rendering fails. */
export async function renderKustomize(dir: string): Promise<K8sObject[]> {
  const kubectl = requireTool("kubectl", "install kubectl (it bundles kustomize)");
  const result = await runTool(kubectl, ["kustomize", dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Parses multi-document YAML; YAML errors throw, empty documents are dropped. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors.map(String).join("\n"));
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    objects.push(value as K8sObject);
  }
  return objects;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** The kubernetes-models module holding an apiVersion's models. */
function modelModule(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  if (slash < 0) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  if (group === "gateway.networking.k8s.io") return `@kubernetes-models/gateway-api/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/** Schema errors of one object (empty when valid). Unknown apiVersion/kind is an error. */
export async function validateObject(object: K8sObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name ?? "?"}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return [`${where}: apiVersion and kind must be strings`];
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(modelModule(object.apiVersion))) as Record<string, unknown>;
  } catch {
    return [`${where}: no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = exports[object.kind];
  if (typeof Model !== "function") {
    return [`${where}: no schema for kind ${object.kind} in ${object.apiVersion}`];
  }
  const errors: string[] = [];
  try {
    new (Model as ModelClass)(object).validate();
  } catch (error) {
    errors.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (object.kind === "HTTPRoute")
    errors.push(...checkHttpRouteV11(object).map((e) => `${where}: ${e}`));
  return errors;
}

// Gateway API v1.1 `Duration`: 1-4 groups of up to 5 digits and a unit.
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * Checks the HTTPRoute fields newer than the v1.0 schema of @kubernetes-models/gateway-api
 * against the Gateway API v1.1 experimental spec: `rules[].sessionPersistence`
 * (sessionName <= 128 chars, absoluteTimeout/idleTimeout durations, type Cookie|Header,
 * cookieConfig.lifetimeType Permanent|Session, Permanent needs absoluteTimeout) and
 * `rules[].timeouts` (request/backendRequest durations).
 */
export function checkHttpRouteV11(route: K8sObject): string[] {
  const rules: unknown = route.spec?.["rules"];
  if (!Array.isArray(rules)) return ["spec.rules must be an array"];
  return rules.flatMap((rule: Record<string, unknown>, index) => {
    const at = `spec.rules[${index}]`;
    const errors: string[] = [];
    const persistence = rule["sessionPersistence"];
    if (persistence !== undefined) {
      errors.push(...checkPersistence(persistence as Record<string, unknown>, at));
    }
    const timeouts = rule["timeouts"] as Record<string, unknown> | undefined;
    if (timeouts !== undefined) {
      errors.push(...unknownFields(timeouts, ["request", "backendRequest"], `${at}.timeouts`));
      errors.push(...durations(timeouts, ["request", "backendRequest"], `${at}.timeouts`));
    }
    return errors;
  });
}

function checkPersistence(persistence: Record<string, unknown>, rule: string): string[] {
  const at = `${rule}.sessionPersistence`;
  const known = ["sessionName", "absoluteTimeout", "idleTimeout", "type", "cookieConfig"];
  const errors = [
    ...unknownFields(persistence, known, at),
    ...durations(persistence, ["absoluteTimeout", "idleTimeout"], at),
  ];
  const name = persistence["sessionName"];
  if (name !== undefined && (typeof name !== "string" || name.length > 128)) {
    errors.push(`${at}.sessionName: must be a string of at most 128 characters`);
  }
  errors.push(...oneOf(persistence["type"], ["Cookie", "Header"], `${at}.type`));
  const cookie = persistence["cookieConfig"] as Record<string, unknown> | undefined;
  if (cookie === undefined) return errors;
  errors.push(...unknownFields(cookie, ["lifetimeType"], `${at}.cookieConfig`));
  const lifetime = cookie["lifetimeType"];
  errors.push(...oneOf(lifetime, ["Permanent", "Session"], `${at}.cookieConfig.lifetimeType`));
  if (lifetime === "Permanent" && persistence["absoluteTimeout"] === undefined) {
    errors.push(`${at}: absoluteTimeout must be specified when cookie lifetimeType is Permanent`);
  }
  return errors;
}

function unknownFields(object: Record<string, unknown>, known: string[], at: string): string[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => `${at}.${key}: unknown field`);
}

function durations(object: Record<string, unknown>, keys: string[], at: string): string[] {
  return keys
    .filter((key) => {
      const value = object[key];
      return value !== undefined && (typeof value !== "string" || !DURATION.test(value));
    })
    .map((key) => `${at}.${key}: must be a Gateway API duration, got ${String(object[key])}`);
}

function oneOf(value: unknown, allowed: string[], at: string): string[] {
  if (value === undefined || allowed.includes(value as string)) return [];
  return [`${at}: must be one of ${allowed.join(", ")}, got ${String(value)}`];
}

/** The one object of a kind (and name, if given); throws when absent or ambiguous. */
export function only(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${kind} ${name ?? ""}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** Workloads (objects with a pod template). */
export function workloads(objects: readonly K8sObject[]): PodOwner[] {
  return objects.filter((o): o is PodOwner => {
    const template = o.spec?.["template"] as IPodTemplateSpec | undefined;
    return template?.spec?.containers !== undefined;
  });
}

/** True when every `selector` label is on `labels`. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** Milliseconds a `node -e "setTimeout(() => {}, N)"` preStop command waits (0 when none). */
export function preStopMs(container: {
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}): number {
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  const match = /setTimeout\(\(\) => \{\}, (\d+)\)/.exec(command.join(" "));
  return match === null ? 0 : Number(match[1]);
}

/** `--name=value` flags of an args list, by name (repeatable flags collect every value). */
export function flags(args: readonly string[] | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const arg of args ?? []) {
    const match = /^--([\w-]+)=(.*)$/.exec(arg);
    if (match === null) continue;
    const [, name = "", value = ""] = match;
    map.set(name, [...(map.get(name) ?? []), value]);
  }
  return map;
}
