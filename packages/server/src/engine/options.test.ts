import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { resolveEngineOptions, resolveEnginePath } from "./options.js";

describe("resolveEngineOptions", () => {
  it("applies the official defaults", () => {
    const options = resolveEngineOptions();
    expect(options).toMatchObject({
      pingTimeout: 20000,
      pingInterval: 25000,
      upgradeTimeout: 10000,
      maxHttpBufferSize: 1e6,
      transports: ["polling", "websocket"],
      allowUpgrades: true,
      perMessageDeflate: false,
      httpCompression: { threshold: 1024 },
      cookie: false,
      cors: false,
      maxBufferedBytes: 1 << 20,
      maxBufferedBytesHard: 1 << 24,
    });
  });

  it("expands cookie and perMessageDeflate shorthands", () => {
    const options = resolveEngineOptions({ cookie: { name: "x" }, perMessageDeflate: true });
    expect(options.cookie).toEqual({ name: "x", path: "/", httpOnly: true, sameSite: "lax" });
    expect(options.perMessageDeflate).toEqual({ threshold: 1024 });
  });

  it("throws InvalidArgumentError for bad values and allowEIO3", () => {
    expect(() => resolveEngineOptions({ pingTimeout: -1 })).toThrow(InvalidArgumentError);
    expect(() => resolveEngineOptions({ transports: ["carrier-pigeon" as "polling"] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => resolveEngineOptions({ allowEIO3: true as false })).toThrow(/EIO=4 only/);
  });

  it("keeps the hard buffer bound at least the soft one", () => {
    expect(
      resolveEngineOptions({ maxBufferedBytes: 10, maxBufferedBytesHard: 5 }).maxBufferedBytesHard,
    ).toBe(10);
  });
});

describe("resolveEnginePath", () => {
  it("normalises to one trailing slash unless addTrailingSlash is false", () => {
    expect(resolveEnginePath({})).toBe("/engine.io/");
    expect(resolveEnginePath({ path: "/x/" })).toBe("/x/");
    expect(resolveEnginePath({ path: "/x", addTrailingSlash: false })).toBe("/x");
    expect(resolveEnginePath({}, "/socket.io")).toBe("/socket.io/");
  });

  it("refuses timer options above 2^31 - 1 ms, which Node would fire after 1 ms", () => {
    for (const name of ["pingInterval", "pingTimeout", "upgradeTimeout"] as const) {
      expect(() => resolveEngineOptions({ [name]: 2 ** 31 })).toThrow(InvalidArgumentError);
      expect(resolveEngineOptions({ [name]: 2 ** 31 - 1 })[name]).toBe(2 ** 31 - 1);
    }
  });
});
