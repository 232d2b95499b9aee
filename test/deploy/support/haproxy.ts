// infra/haproxy.cfg outside Docker: the same file with only its addresses rewritten (the two
// binds to free loopback ports, Docker's DNS server to a stub, the balancers' port to the local
// one), run by Debian's haproxy in the foreground. The `resolvers` section and the DNS
// `server-template` stay as committed: haproxy finds the balancer replicas by resolving
// `balancer`. Compose runs haproxy:3.0; Debian bookworm has 2.6, and the file uses nothing newer.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LineProcess, spawnLines } from "../../support/line-process.js";
import { getFreePort } from "../../support/net-probe.js";
import { readRepoFile } from "./compose.js";
import { requireTool } from "./tools.js";

export const HAPROXY_INSTALL = "apt-get install -y --no-install-recommends haproxy";

export interface LocalAddresses {
  frontPort: number;
  healthPort: number;
  /** The UDP port of the DNS stub on 127.0.0.1 (Docker's is 127.0.0.11:53). */
  dnsPort: number;
  /** The port every balancer replica listens on, each on its own address. */
  balancerPort: number;
}

/** Replaces the one match of `pattern` in `text`; throws when there is none or more than one. */
function replaceOnce(text: string, pattern: RegExp, replace: (...groups: string[]) => string) {
  const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
  const count = [...text.matchAll(global)].length;
  if (count !== 1) throw new Error(`haproxy.cfg: expected one match of ${pattern}, found ${count}`);
  return text.replace(pattern, (_whole, ...groups: string[]) => replace(...groups));
}

/**
 * infra/haproxy.cfg with its addresses made local and `maxconn` lowered to 1,000 (haproxy wants
 * two descriptors per connection and exits when it cannot raise its limit that far: this
 * machine's hard limit is 20,000, compose sets 65,536); every other line as committed.
 */
export function localHaproxyConfig(text: string, local: LocalAddresses): string {
  let out = replaceOnce(text, /^(\s*)maxconn \d+$/m, (indent) => `${indent}maxconn 1000`);
  out = replaceOnce(out, /^(\s*)bind :8080$/m, (indent) => {
    return `${indent}bind 127.0.0.1:${local.frontPort}`;
  });
  out = replaceOnce(out, /^(\s*)bind :8404$/m, (indent) => {
    return `${indent}bind 127.0.0.1:${local.healthPort}`;
  });
  out = replaceOnce(out, /^(\s*nameserver \S+) 127\.0\.0\.11:53$/m, (kept) => {
    return `${kept} 127.0.0.1:${local.dnsPort}`;
  });
  return replaceOnce(out, /^(\s*server-template \S+ \d+ balancer):\d+(.*)$/m, (kept, rest) => {
    return `${kept}:${local.balancerPort}${rest}`;
  });
}

export interface RunningHaproxy {
  proc: LineProcess;
  frontUrl: string;
  stop(): Promise<void>;
}

/** `/healthz` on the health frontend answers 200 (bounded); false when haproxy exited. */
async function waitHealthy(proc: LineProcess, port: number): Promise<boolean> {
  for (let i = 0; i < 200 && proc.child.exitCode === null; i++) {
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Runs the committed haproxy.cfg, localised, with its resolver at `dnsPort` and the balancers on
 * `balancerPort`. A port taken between choosing and binding it (haproxy exits) is retried with
 * fresh ports, three times at most.
 */
export async function startHaproxy(dnsPort: number, balancerPort: number): Promise<RunningHaproxy> {
  const bin = requireTool("haproxy", HAPROXY_INSTALL);
  const dir = mkdtempSync(join(tmpdir(), "switchyard-haproxy-"));
  const config = join(dir, "haproxy.cfg");
  const failures: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const frontPort = await getFreePort();
    const healthPort = await getFreePort();
    const text = localHaproxyConfig(readRepoFile("infra/haproxy.cfg"), {
      frontPort,
      healthPort,
      dnsPort,
      balancerPort,
    });
    writeFileSync(config, text);
    const proc = spawnLines(bin, ["-db", "-f", config], { cwd: dir, env: {} });
    if (await waitHealthy(proc, healthPort)) {
      return {
        proc,
        frontUrl: `http://127.0.0.1:${frontPort}`,
        async stop() {
          if (proc.child.exitCode === null) proc.child.kill("SIGTERM");
          await proc.exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    proc.child.kill("SIGKILL");
    await proc.exited;
    failures.push(proc.stderr.join(" | "));
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`haproxy did not start: ${failures.join(" || ")}`);
}
