import { describe, expect, it } from "vitest";
import { TopicHandlers } from "./topic-handlers.js";

describe("TopicHandlers", () => {
  it("says subscribe for a topic's first handler only, and unsubscribe for its last only", () => {
    const topics = new TopicHandlers<() => void>();
    const [one, two] = [() => {}, () => {}];
    expect(topics.add("t", one)).toBe(true);
    expect(topics.add("t", two)).toBe(false);
    expect(topics.add("t", one)).toBe(false);
    expect(topics.count("t")).toBe(2);
    expect(topics.delete("t", one)).toBe(false);
    expect(topics.delete("t", two)).toBe(true);
    expect(topics.count("t")).toBe(0);
    expect(topics.get("t")).toBeUndefined();
    expect(topics.add("t", one)).toBe(true);
  });

  it("ignores a handler that is not subscribed, and a topic without handlers", () => {
    const topics = new TopicHandlers<string>();
    topics.add("t", "a");
    expect(topics.delete("t", "b")).toBe(false);
    expect(topics.delete("other", "a")).toBe(false);
    expect(topics.count("t")).toBe(1);
  });

  it("counts the topics that have handlers", () => {
    const topics = new TopicHandlers<string>();
    topics.add("a", "x");
    topics.add("b", "x");
    topics.add("b", "y");
    expect(topics.size).toBe(2);
    topics.delete("a", "x");
    expect(topics.size).toBe(1);
    expect([...(topics.get("b") ?? [])]).toEqual(["x", "y"]);
  });
});
