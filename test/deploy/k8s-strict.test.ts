// Strict validation (test/deploy/validator: the Kubernetes API's Go types, decoded as the
// apiserver does with fieldValidation=Strict) of every object kustomize renders; helm-chart.test.ts
// does the same for the chart. A planted typo, a duplicate field and an unknown kind must fail.
import { describe, expect, it } from "vitest";
import { validateStrict } from "./support/helm.js";
import { kustomizeTargets, renderKustomize } from "./support/k8s.js";
import { deployTool, REPO_ROOT, runTool } from "./support/tools.js";

const validator = deployTool("k8s-validator");

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          imagePullPolicy: IfNotPresent
`;

describe.skipIf(validator === undefined)("strict validation", () => {
  const bin = validator as string;

  it.each(kustomizeTargets())("passes every object of %s", async (dir) => {
    const kubectl = await runTool("kubectl", ["kustomize", `${REPO_ROOT}/${dir}`]);
    expect(kubectl.code).toBe(0);
    const results = await validateStrict(bin, kubectl.stdout);
    expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    expect(results).toHaveLength((await renderKustomize(dir)).length);
  });

  it("accepts a valid object", async () => {
    expect(await validateStrict(bin, DEPLOYMENT)).toEqual([
      { kind: "Deployment", name: "web", errors: [] },
    ]);
  });

  it("fails a planted typo in a field name", async () => {
    const typo = DEPLOYMENT.replace("imagePullPolicy:", "imagePulPolicy:");
    const [result] = await validateStrict(bin, typo);
    expect(result?.errors).toEqual([
      'unknown field "spec.template.spec.containers[0].imagePulPolicy"',
    ]);
  });

  it("fails a planted typo in a rendered overlay", async () => {
    const objects = await renderKustomize("k8s/overlays/redis");
    const service = objects.find((o) => o.kind === "Service");
    const planted = objects.map((o) =>
      o === service ? { ...o, spec: { ...o.spec, sessionAffinityy: "None" } } : o,
    );
    // JSON documents: YAML 1.1 readers (Go's) would take an unquoted `no` for a boolean.
    const text = planted.map((o) => JSON.stringify(o)).join("\n---\n");
    const failed = (await validateStrict(bin, text)).filter((r) => r.errors.length > 0);
    expect(failed).toEqual([
      {
        kind: service?.kind,
        name: service?.metadata.name,
        errors: ['unknown field "spec.sessionAffinityy"'],
      },
    ]);
  });

  it("fails a duplicate field, a wrong type and a kind it does not know", async () => {
    const duplicate = DEPLOYMENT.replace("image: web:1", "image: web:1\n          image: web:2");
    expect((await validateStrict(bin, duplicate))[0]?.errors.join()).toMatch(
      /"image" already set in map/,
    );
    const wrongType = DEPLOYMENT.replace("name: web\n          image", "name: 7\n          image");
    expect(
      (await validateStrict(bin, `${wrongType}---\n${DEPLOYMENT}`)).map((r) => r.errors.length > 0),
    ).toEqual([true, false]);
    const unknown = "apiVersion: v1\nkind: Servise\nmetadata: { name: x }\n";
    expect((await validateStrict(bin, unknown))[0]?.errors.join()).toMatch(/no kind "Servise"/);
  });
});
