// The namespaces of a server: static ones by name, and dynamic parents (RegExp or function
// matchers, tried in registration order) that create children on their first CONNECT.
import type { ConnectTarget } from "../connection/connection.js";
import type { Server } from "../server.js";
import type { EventsMap } from "../typed-events.js";
import { Namespace } from "./namespace.js";
import type { NamespaceContext } from "./namespace-context.js";
import { ParentNamespace } from "./parent-namespace.js";

/** A dynamic namespace matcher: `next(err, allow)` accepts or refuses a name. */
export type ParentNspNameMatchFn = (
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the CONNECT auth payload is user-defined
  auth: { [key: string]: any },
  next: (err: Error | null, success: boolean) => void,
) => void;

/** Static and dynamic namespaces of one server. */
export class NamespaceRegistry<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  /** Static namespaces and dynamic children, by name. */
  readonly nsps: Map<string, Namespace<L, E, S, D>> = new Map();
  readonly #parents = new Map<ParentNspNameMatchFn, ParentNamespace<L, E, S, D>>();
  readonly #regexParents = new Map<RegExp, ParentNamespace<L, E, S, D>>();
  readonly #server: Server<L, E, S, D>;
  readonly #context: NamespaceContext;
  readonly #onNew: (nsp: Namespace<L, E, S, D>) => void;

  constructor(
    server: Server<L, E, S, D>,
    context: NamespaceContext,
    onNew: (nsp: Namespace<L, E, S, D>) => void,
  ) {
    this.#server = server;
    this.#context = context;
    this.#onNew = onNew;
  }

  /** The namespace `name` (created on first use), or a new parent for a RegExp / function. */
  of(name: string | RegExp | ParentNspNameMatchFn): Namespace<L, E, S, D> {
    if (typeof name === "function" || name instanceof RegExp) return this.#addParent(name);
    const fullName = name.startsWith("/") ? name : `/${name}`;
    const existing = this.nsps.get(fullName);
    if (existing !== undefined) return existing;
    for (const [regex, parent] of this.#regexParents) {
      if (regex.test(fullName)) return parent.createChild(fullName);
    }
    const nsp = new Namespace(this.#server, this.#context, fullName);
    this.nsps.set(fullName, nsp);
    if (fullName !== "/") this.#onNew(nsp);
    return nsp;
  }

  /** §2.5 resolution of a CONNECT: existing namespace, else each dynamic matcher in order. */
  resolve(
    name: string,
    auth: Record<string, unknown>,
    done: (nsp: ConnectTarget | undefined) => void,
  ): void {
    const existing = this.nsps.get(name);
    if (existing !== undefined) {
      done(existing);
      return;
    }
    const matchers = [...this.#parents.entries()];
    const tryNext = (index: number): void => {
      const entry = matchers[index];
      if (entry === undefined) {
        done(undefined);
        return;
      }
      const [matcher, parent] = entry;
      let answered = false;
      const next = (err: Error | null, allow: boolean): void => {
        if (answered) return;
        answered = true;
        if (err || !allow) {
          tryNext(index + 1);
          return;
        }
        // Two CONNECTs racing for a new name: the second reuses the first one's child.
        done(this.nsps.get(name) ?? parent.createChild(name));
      };
      try {
        matcher(name, auth, next);
      } catch (err) {
        // User code: never let it reach the decoder (B5.6). Counts as "no match".
        process.nextTick(() => {
          throw err;
        });
        next(null, false);
      }
    };
    tryNext(0);
  }

  /** Every namespace, parents excluded. */
  all(): IterableIterator<Namespace<L, E, S, D>> {
    return this.nsps.values();
  }

  /** Every parent namespace. */
  parents(): IterableIterator<ParentNamespace<L, E, S, D>> {
    return this.#parents.values();
  }

  #addParent(matcher: RegExp | ParentNspNameMatchFn): ParentNamespace<L, E, S, D> {
    const parent = new ParentNamespace<L, E, S, D>(
      this.#server,
      this.#context,
      (child) => {
        this.nsps.set(child.name, child);
        this.#onNew(child);
      },
      (child) => this.nsps.delete(child.name),
    );
    if (typeof matcher === "function") {
      this.#parents.set(matcher, parent);
    } else {
      this.#parents.set((name, _auth, next) => next(null, matcher.test(name)), parent);
      this.#regexParents.set(matcher, parent);
    }
    return parent;
  }
}
