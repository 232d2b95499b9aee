// Open-files limits of the c100k processes, raised by the scenario itself: `prlimit` (util-linux)
// on the child's pid, up to what is wanted, else up to the hard limit, which only a privileged
// user (CAP_SYS_RESOURCE) can raise.
import { execFileSync } from "node:child_process";

function read(pid: number, which: "SOFT" | "HARD"): number {
  const out = execFileSync(
    "prlimit",
    [`--pid=${pid}`, "--nofile", "--noheadings", `--output=${which}`],
    {
      encoding: "utf8",
    },
  ).trim();
  return out === "unlimited" ? Number.POSITIVE_INFINITY : Number(out);
}

function set(pid: number, soft: number, hard: number): boolean {
  try {
    execFileSync("prlimit", [`--pid=${pid}`, `--nofile=${soft}:${hard}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** What a process may hold after {@link raiseOpenFiles}, and whether the hard limit stopped it. */
export interface OpenFiles {
  limit: number;
  /** The hard limit was below `wanted` and could not be raised. */
  capped: boolean;
  hard: number;
}

/** Raises `pid`'s RLIMIT_NOFILE to `wanted` (soft and hard), else its soft limit to the hard one. */
export function raiseOpenFiles(pid: number, wanted: number): OpenFiles {
  const hard = read(pid, "HARD");
  if (wanted > hard && set(pid, wanted, wanted))
    return { limit: wanted, capped: false, hard: wanted };
  const soft = Math.min(wanted, hard);
  if (read(pid, "SOFT") < soft) set(pid, soft, hard);
  const limit = read(pid, "SOFT");
  return { limit, capped: limit < wanted, hard };
}
