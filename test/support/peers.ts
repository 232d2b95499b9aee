// The interop peers (other Socket.IO implementations, test/interop/peers/) as commands to run.
// Resolution order per peer, as for services: 1. its environment variable; 2. the build that
// test/interop/install-peers.sh left in the peers directory (SWITCHYARD_PEERS_DIR, default
// ~/.cache/switchyard/peers), or the Debian package's files. Under CI a peer that cannot be
// resolved, or whose build is older than its sources, is an error; elsewhere it is `undefined`
// (its tests skip, with the reason printed).
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { type Env, isCi } from "./services.js";

/** The repository root. */
const ROOT = resolve(import.meta.dirname, "../..");
/** Where the peers' sources live. */
export const PEER_SOURCES: string = join(ROOT, "test/interop/peers");

/** Every peer of the interop matrix. */
export const PEER_IDS = [
  "python-socketio",
  "python-socketio-debian",
  "socket.io-client-java",
  "zishang520-socket.io",
] as const;
export type PeerId = (typeof PEER_IDS)[number];

/** A resolved peer: how to start it in either role it plays. */
export interface PeerLaunch {
  id: PeerId;
  /** The command and its arguments; the role (and port) are appended. */
  command: string;
  args: readonly string[];
  /** Where it came from, for the log. */
  source: string;
}

// Read through constants: Biome prefers `env.X`, tsc (index signature) `env["X"]`.
const DIR_VAR = "SWITCHYARD_PEERS_DIR";
const HOME_VAR = "HOME";

/** The variable that points at an already installed peer, per peer. */
export const PEER_ENV_VARS: Readonly<Record<PeerId, string>> = {
  "python-socketio": "SWITCHYARD_PEER_PYTHON",
  "python-socketio-debian": "SWITCHYARD_PEER_PYTHON_DEBIAN",
  "socket.io-client-java": "SWITCHYARD_PEER_JAVA_CLASSPATH",
  "zishang520-socket.io": "SWITCHYARD_PEER_GO",
};

const INSTALL_HINT = "run `bash test/interop/install-peers.sh` (.ci/run does)";
const PYTHON_PEER = join(PEER_SOURCES, "python/peer.py");
const DEBIAN_PYTHON = "/usr/bin/python3";
const DEBIAN_SOCKETIO = "/usr/lib/python3/dist-packages/socketio/__init__.py";

/** The directory install-peers.sh builds into. */
export function peersDir(env: Env = process.env): string {
  const home = env[HOME_VAR] ?? homedir();
  return env[DIR_VAR] ?? join(home, ".cache/switchyard/peers");
}

/**
 * The hash install-peers.sh stamps a build with: sha256 over `sha256sum` lines
 * (`<hex>  ./<path>`) of every file under the source directory, sorted by path.
 */
export function sourceHash(dir: string): string {
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(`./${relative(dir, path)}`);
    }
  };
  walk(dir);
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const lines = files.map((file) => {
    const hex = createHash("sha256")
      .update(readFileSync(join(dir, file)))
      .digest("hex");
    return `${hex}  ${file}\n`;
  });
  return createHash("sha256").update(lines.join("")).digest("hex");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

type Attempt = { launch: PeerLaunch } | { problem: string };

/** The build in the peers directory's `lang` folder, checked against its sources' stamp. */
function built(lang: string, launch: (dir: string) => PeerLaunch, env: Env): Attempt {
  const dir = join(peersDir(env), lang);
  const stamp = join(dir, "source.sha256");
  if (!existsSync(stamp)) return { problem: `no build in ${dir}` };
  const expected = sourceHash(join(PEER_SOURCES, lang));
  if (readFileSync(stamp, "utf8").trim() !== expected) {
    return { problem: `the build in ${dir} is older than test/interop/peers/${lang}` };
  }
  return { launch: launch(dir) };
}

/** How each peer is found: from its variable's value (`fromEnv`), else installed. */
const FINDERS: Readonly<Record<PeerId, (fromEnv: string | undefined, env: Env) => Attempt>> = {
  "python-socketio": (fromEnv, env) => {
    const id = "python-socketio";
    if (fromEnv !== undefined) {
      return { launch: { id, command: fromEnv, args: [PYTHON_PEER], source: PEER_ENV_VARS[id] } };
    }
    const launch = (dir: string): PeerLaunch => ({
      id,
      command: join(dir, "bin/python"),
      args: [PYTHON_PEER],
      source: dir,
    });
    return built("python-venv", launch, env);
  },
  "python-socketio-debian": (fromEnv) => {
    const id = "python-socketio-debian";
    if (fromEnv !== undefined) {
      return { launch: { id, command: fromEnv, args: [PYTHON_PEER], source: PEER_ENV_VARS[id] } };
    }
    if (!existsSync(DEBIAN_SOCKETIO)) {
      return { problem: "the Debian package python3-socketio is not installed" };
    }
    return { launch: { id, command: DEBIAN_PYTHON, args: [PYTHON_PEER], source: "debian" } };
  },
  "socket.io-client-java": (fromEnv, env) => {
    const id = "socket.io-client-java";
    const launch = (classpath: string, source: string): PeerLaunch => ({
      id,
      command: "java",
      args: ["-cp", classpath, "switchyard.interop.Peer"],
      source,
    });
    if (fromEnv !== undefined) return { launch: launch(fromEnv, PEER_ENV_VARS[id]) };
    return built("java", (dir) => launch(`${join(dir, "java-peer-1.jar")}:${dir}/lib/*`, dir), env);
  },
  "zishang520-socket.io": (fromEnv, env) => {
    const id = "zishang520-socket.io";
    if (fromEnv !== undefined) {
      return { launch: { id, command: fromEnv, args: [], source: PEER_ENV_VARS[id] } };
    }
    const binary = join(peersDir(env), "go/interop-peer");
    const result = built("go", (dir) => ({ id, command: binary, args: [], source: dir }), env);
    if ("launch" in result && !executable(binary))
      return { problem: `${binary} is not executable` };
    return result;
  },
};

/**
 * The peer's launch command. Under CI (from `env`) an unresolvable peer throws, naming what was
 * tried; otherwise it returns `undefined` and reports the reason through `onUnavailable`.
 */
export function resolvePeer(
  id: PeerId,
  env: Env = process.env,
  onUnavailable: (message: string) => void = () => undefined,
): PeerLaunch | undefined {
  const value = env[PEER_ENV_VARS[id]]?.trim();
  const result = FINDERS[id](value === "" ? undefined : value, env);
  if ("launch" in result) return result.launch;
  const message = `interop peer ${id} is unavailable: ${result.problem} (${PEER_ENV_VARS[id]} not set); ${INSTALL_HINT}`;
  if (isCi(env)) throw new Error(message);
  onUnavailable(message);
  return undefined;
}
