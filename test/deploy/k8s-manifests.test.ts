// k8s/: `kubectl kustomize` renders the base and every overlay, and every rendered object
// validates offline against the Kubernetes schemas (HTTPRoute: Gateway API models plus our
// v1.1 sessionPersistence check). kubectl missing is a failure, never a skip. The validator
// itself is shown to catch broken objects. yamllint (strict) is clean on k8s/.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkHttpRouteV11,
  type K8sObject,
  kustomizeTargets,
  parseManifests,
  renderKustomize,
  validateObject,
} from "./support/k8s.js";
import { yamllint } from "./support/tools.js";

const TARGETS = kustomizeTargets();

describe("kustomize targets", () => {
  it("include the Redis and NATS overlays and a gateway variant", () => {
    expect(TARGETS).toEqual(
      expect.arrayContaining([
        "k8s/base",
        "k8s/overlays/redis",
        "k8s/overlays/nats",
        "k8s/overlays/redis-gateway",
        "k8s/overlays/nats-gateway",
        "k8s/overlays/redis-gateway-sid",
        "k8s/overlays/nats-gateway-sid",
      ]),
    );
  });
});

describe.each(TARGETS)("%s", (dir) => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    objects = await renderKustomize(dir);
  });

  it("renders with kubectl kustomize", () => {
    expect(objects.length).toBeGreaterThan(5);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("validates every object against the Kubernetes schemas", async () => {
    const errors = (await Promise.all(objects.map(validateObject))).flat();
    expect(errors).toEqual([]);
  });
});

const GOOD_SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: ok }
spec:
  ports: [{ port: 3000 }]
`;

const route = (persistence: string): K8sObject =>
  parseManifests(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r }
spec:
  parentRefs: [{ name: gw }]
  rules:
    - backendRefs: [{ name: svc, port: 3000 }]
      sessionPersistence: ${persistence}
`)[0] as K8sObject;

describe("the offline validator", () => {
  it("accepts a valid object", async () => {
    const [service] = parseManifests(GOOD_SERVICE);
    expect(await validateObject(service as K8sObject)).toEqual([]);
  });

  it("catches a non-integer containerPort", async () => {
    const [deployment] = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
  selector: { matchLabels: { app: x } }
  template:
    metadata: { labels: { app: x } }
    spec:
      containers:
        - name: x
          image: x:1
          ports: [{ containerPort: "3000x" }]
`);
    const errors = await validateObject(deployment as K8sObject);
    expect(errors.join("\n")).toMatch(/containerPort must be integer/);
  });

  it("catches a missing required field", async () => {
    const [service] = parseManifests(GOOD_SERVICE.replace("port: 3000", "name: http"));
    expect((await validateObject(service as K8sObject)).join("\n")).toMatch(/required.*port/);
  });

  it("rejects kinds and apiVersions it has no schema for", async () => {
    const unknownKind = { apiVersion: "v1", kind: "Servise", metadata: { name: "x" } };
    const unknownGroup = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } };
    expect(await validateObject(unknownKind)).toEqual([
      "Servise/x: no schema for kind Servise in v1",
    ]);
    expect(await validateObject(unknownGroup)).toEqual([
      "Widget/x: no schema for apiVersion example.com/v1",
    ]);
  });

  it("checks HTTPRoute sessionPersistence against the Gateway API v1.1 spec", async () => {
    const valid = route(
      "{ sessionName: s, type: Cookie, cookieConfig: { lifetimeType: Session } }",
    );
    expect(await validateObject(valid)).toEqual([]);
    expect(checkHttpRouteV11(route("{ type: Sticky }"))).toEqual([
      "spec.rules[0].sessionPersistence.type: must be one of Cookie, Header, got Sticky",
    ]);
    expect(checkHttpRouteV11(route("{ cookieConfig: { lifetimeType: Permanent } }"))).toEqual([
      "spec.rules[0].sessionPersistence: absoluteTimeout must be specified when cookie lifetimeType is Permanent",
    ]);
    expect(checkHttpRouteV11(route("{ absoluteTimeout: 1 hour, cookie: {} }"))).toEqual([
      "spec.rules[0].sessionPersistence.cookie: unknown field",
      "spec.rules[0].sessionPersistence.absoluteTimeout: must be a Gateway API duration, got 1 hour",
    ]);
    const long = `{ sessionName: ${"x".repeat(129)} }`;
    expect(await validateObject(route(long))).toEqual([
      "HTTPRoute/r: spec.rules[0].sessionPersistence.sessionName: must be a string of at most 128 characters",
    ]);
  });
});

describe("yamllint", () => {
  it("is clean (strict) on every YAML file under k8s/", async () => {
    const result = await yamllint(["k8s"]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("would report a problem (the linter is really running)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "k8s-lint-"));
    try {
      const bad = join(dir, "bad.yaml");
      await writeFile(bad, "kind: Service\nkind: Service\n");
      const result = await yamllint([bad]);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toMatch(/duplication of key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
