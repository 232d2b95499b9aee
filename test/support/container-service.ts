// Testcontainers fallback, used only when no binary is found and a Docker engine answers.
//
// `testcontainers` is NOT a dependency: it is imported dynamically through a variable specifier
// so neither TypeScript nor vite resolve it statically. A failed import, or a failing
// getContainerRuntimeClient(), means "no engine". The machine this was written on has no
// container engine, so the container path below has not been exercised end to end.
import { getFreePort, type ServiceKind, waitForPortFree, waitForService } from "./net-probe.js";
import { type StartOptions, serviceUrl, type TestService } from "./service-types.js";

/** The slice of the testcontainers API we rely on (v10/v11). */
export interface TestcontainersModule {
  getContainerRuntimeClient(): Promise<unknown>;
  GenericContainer: new (image: string) => GenericContainerLike;
}
interface GenericContainerLike {
  withCommand(command: string[]): GenericContainerLike;
  withExposedPorts(...ports: Array<{ container: number; host: number }>): GenericContainerLike;
  start(): Promise<StartedContainerLike>;
}
interface StartedContainerLike {
  getHost(): string;
  stop(): Promise<unknown>;
}

export type TestcontainersLoader = () => Promise<TestcontainersModule>;

const IMAGES: Readonly<Record<ServiceKind, { image: string; port: number; command: string[] }>> = {
  redis: {
    image: "redis:7-alpine",
    port: 6379,
    command: ["redis-server", "--save", "", "--appendonly", "no"],
  },
  nats: { image: "nats:2.10-alpine", port: 4222, command: ["-js"] },
};

export const loadTestcontainers: TestcontainersLoader = async () => {
  const specifier: string = "testcontainers";
  return (await import(/* @vite-ignore */ specifier)) as TestcontainersModule;
};

/** Resolves the module when a container engine answers, or a reason why not. */
export async function detectEngine(
  loader: TestcontainersLoader,
): Promise<{ module: TestcontainersModule } | { reason: string }> {
  let module: TestcontainersModule;
  try {
    module = await loader();
  } catch (err) {
    return { reason: `testcontainers not importable (${(err as Error).message})` };
  }
  try {
    await module.getContainerRuntimeClient();
    return { module };
  } catch (err) {
    return { reason: `no container engine (${(err as Error).message})` };
  }
}

/**
 * Starts the service (`image`, or the kind's default one) in a container with a FIXED host port
 * (picked free on this machine), so stop() + start() can recreate the container on the same port
 * for fault tests.
 */
export async function startContainerService(
  kind: ServiceKind,
  tc: TestcontainersModule,
  options: StartOptions = {},
  image?: string,
): Promise<TestService> {
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const spec = image === undefined ? IMAGES[kind] : { ...IMAGES[kind], image };
  const port = await getFreePort();
  let host = "127.0.0.1";
  let current: StartedContainerLike | undefined;
  let closed = false;

  const launch = async (): Promise<void> => {
    const started = await new tc.GenericContainer(spec.image)
      .withCommand(spec.command)
      .withExposedPorts({ container: spec.port, host: port })
      .start();
    current = started;
    host = started.getHost();
    await waitForService(kind, host, port, { timeoutMs: startupTimeoutMs });
  };
  const stopNow = async (): Promise<void> => {
    const target = current;
    current = undefined;
    if (target === undefined) return;
    await target.stop();
    await waitForPortFree(port, stopTimeoutMs);
  };

  await launch();
  return {
    kind,
    url: serviceUrl(kind, host, port),
    host,
    port,
    source: "container",
    dataDir: undefined,
    stop: stopNow,
    start: async () => {
      if (closed) throw new Error(`${kind} container on port ${port} is closed`);
      if (current === undefined) await launch();
    },
    close: async () => {
      closed = true;
      await stopNow();
    },
  };
}
