// Static checks of the Helm chart in k8s/helm, beside the real helm of helm.ts: values.yaml
// leaf keys, `.Values` paths referenced by templates, the README values table, `kind:` lines
// and Go-template block structure. Pure functions over file contents.

/** A parsed values.yaml. */
export type Values = Record<string, unknown>;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Dotted paths of every leaf of `values`, with their values. A leaf is a scalar, a list or an
 * empty map (lists and `{}` are set as a whole, so they are documented as one key).
 */
export function leafValues(values: Values, prefix = ""): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  for (const [key, value] of Object.entries(values)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isMap(value) && Object.keys(value).length > 0) {
      for (const [inner, leaf] of leafValues(value, path)) leaves.set(inner, leaf);
    } else {
      leaves.set(path, value);
    }
  }
  return leaves;
}

/** Whether a dotted path names a key of `values` (a leaf or a map). */
export function hasPath(values: Values, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split(".")) {
    if (!isMap(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/** Every `.Values.a.b` path a template references (also as `$.Values.a.b`). */
export function valueRefs(template: string): Set<string> {
  const refs = new Set<string>();
  for (const match of template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    refs.add((match[1] ?? "").slice(1));
  }
  return refs;
}

/** Rows of the README values table: key → default cell (backticks removed). */
export function readmeValues(readme: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([^`]+)` \| `([^`]*)` \|(.*)\|$/gm)) {
    const [, key = "", value = "", description = ""] = match;
    if (description.trim() === "") throw new Error(`README: ${key} has no description`);
    rows.set(key, value);
  }
  return rows;
}

/** Kinds declared by top-level `kind:` lines. */
export function declaredKinds(template: string): Set<string> {
  return new Set([...template.matchAll(/^kind:\s*([A-Za-z]+)\s*$/gm)].map((m) => m[1] ?? ""));
}

/** Structural problems of a Go template: unbalanced actions or block/end counts. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  const opens = template.split("{{").length - 1;
  const closes = template.split("}}").length - 1;
  if (opens !== closes) problems.push(`${opens} "{{" but ${closes} "}}"`);
  const actions = [...template.matchAll(/\{\{-?\s*(\w+)/g)].map((m) => m[1]);
  const blocks = actions.filter((a) => ["if", "range", "with", "define"].includes(a ?? "")).length;
  const ends = actions.filter((a) => a === "end").length;
  if (blocks !== ends) problems.push(`${blocks} blocks but ${ends} ends`);
  return problems;
}

/** Names of the `define`d templates, and of the `include`d ones. */
export function helperNames(template: string): { defined: Set<string>; included: Set<string> } {
  const names = (pattern: RegExp): Set<string> =>
    new Set([...template.matchAll(pattern)].map((m) => m[1] ?? ""));
  return {
    defined: names(/\{\{-?\s*define\s+"([^"]+)"/g),
    included: names(/\binclude\s+"([^"]+)"/g),
  };
}
