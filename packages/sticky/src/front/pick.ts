// New-session placement: which target gets a request that names no (known) session.
// Pure functions over a candidate list; the callers own the counters.

/** A target a new session may be placed on. */
export interface Candidate {
  /** Stable id (node id): the consistent hash is computed over it. */
  readonly id: string;
  /** Requests and WebSocket tunnels open to it right now. */
  readonly inFlight: number;
}

/**
 * Index of the candidate with the fewest in-flight requests; ties are broken by rotating from
 * `cursor` so equal targets share new sessions. `-1` for an empty list.
 */
export function pickLeastLoaded(candidates: readonly Candidate[], cursor: number): number {
  let best = -1;
  let bestLoad = Number.POSITIVE_INFINITY;
  const count = candidates.length;
  for (let step = 0; step < count; step++) {
    const index = (((cursor + step) % count) + count) % count;
    const load = candidates[index]?.inFlight ?? Number.POSITIVE_INFINITY;
    if (load < bestLoad) {
      best = index;
      bestLoad = load;
    }
  }
  return best;
}

/**
 * Rendezvous (highest-random-weight) hashing: the candidate whose hash with `key` is highest.
 * Removing one candidate moves only the keys it owned. `-1` for an empty list.
 */
export function pickByHash(candidates: readonly Candidate[], key: string): number {
  let best = -1;
  let bestWeight = -1;
  candidates.forEach((candidate, index) => {
    const weight = fnv1a(`${candidate.id}\u0000${key}`);
    if (weight > bestWeight) {
      best = index;
      bestWeight = weight;
    }
  });
  return best;
}

/** 32-bit FNV-1a over the UTF-16 code units, with a final avalanche step. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/**
 * Sessions placed on each target recently (within one to two windows). A handshake's own request
 * is over before its first long-poll arrives, so without this credit a burst of handshakes would
 * all land on the target that looked least loaded at the start of the burst. Two rotating
 * buckets: no timer per placement.
 */
export class RecentPlacements {
  readonly #windowMs: number;
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  #rotatedAt = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  add(id: string, now: number = Date.now()): void {
    this.#rotate(now);
    this.#current.set(id, (this.#current.get(id) ?? 0) + 1);
  }

  get(id: string, now: number = Date.now()): number {
    this.#rotate(now);
    return (this.#current.get(id) ?? 0) + (this.#previous.get(id) ?? 0);
  }

  #rotate(now: number): void {
    const elapsed = now - this.#rotatedAt;
    if (elapsed < this.#windowMs) return;
    this.#previous = elapsed < 2 * this.#windowMs ? this.#current : new Map();
    this.#current = new Map();
    this.#rotatedAt = now;
  }
}
