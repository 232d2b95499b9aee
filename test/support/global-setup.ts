// Vitest globalSetup for the e2e project: resolves redis, NATS and the current nats-server once
// per run and provides their URLs (`inject("redisUrl")`, `inject("natsUrl")`,
// `inject("natsCurrentUrl")`; undefined = unavailable, tests skip).
import type { TestProject } from "vitest/node";
import {
  resolveService,
  type ServiceFlavor,
  type ServiceKind,
  type TestService,
} from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string | undefined;
    natsUrl: string | undefined;
    /** The current nats-server 2.x (the distribution's is `natsUrl`). */
    natsCurrentUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted: Array<[ServiceKind, ServiceFlavor]> = [
    ["redis", "default"],
    ["nats", "default"],
    ["nats", "current"],
  ];
  const results = await Promise.allSettled(
    wanted.map(([kind, flavor]) =>
      resolveService(kind, {
        flavor,
        onUnavailable: (message) => console.warn(`[services] ${message}; dependent tests skip.`),
      }),
    ),
  );
  const started: TestService[] = [];
  const errors: string[] = [];
  for (const result of results) {
    if (result.status === "rejected") errors.push((result.reason as Error).message);
    else if (result.value !== undefined) started.push(result.value);
  }
  if (errors.length > 0) {
    await Promise.allSettled(started.map((service) => service.close()));
    throw new Error(errors.join("\n"));
  }
  for (const [i, [kind, flavor]] of wanted.entries()) {
    const result = results[i];
    const service = result?.status === "fulfilled" ? result.value : undefined;
    const label = flavor === "default" ? kind : `${kind} (${flavor})`;
    if (service !== undefined) console.log(`[services] ${label}: ${service.source} ${service.url}`);
  }
  const urlOf = (index: number): string | undefined => {
    const result = results[index];
    return result?.status === "fulfilled" ? result.value?.url : undefined;
  };
  project.provide("redisUrl", urlOf(0));
  project.provide("natsUrl", urlOf(1));
  project.provide("natsCurrentUrl", urlOf(2));

  return async () => {
    await Promise.allSettled(started.map((service) => service.close()));
  };
}
