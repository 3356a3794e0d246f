import { describe, expect, it } from "vitest";
import { buildCondition, evaluateCondition, type Where } from "./conditions.js";

describe("where conditions", () => {
  const props = { plan: "enterprise", seats: 12, tags: ["a", "b"], note: "hello world", nested: { country: "DE" } };
  const check = (where: Parameters<typeof buildCondition>[0]) => evaluateCondition(buildCondition(where), props);

  it("compares scalars", () => {
    expect(check((b) => b.prop("plan").eq("enterprise"))).toBe(true);
    expect(check((b) => b.prop("plan").neq("enterprise"))).toBe(false);
    expect(check((b) => b.prop("seats").gt(10))).toBe(true);
    expect(check((b) => b.prop("seats").gte(12))).toBe(true);
    expect(check((b) => b.prop("seats").lt(12))).toBe(false);
    expect(check((b) => b.prop("seats").lte(12))).toBe(true);
    expect(check((b) => b.prop("plan").in(["pro", "enterprise"]))).toBe(true);
    expect(check((b) => b.prop("note").contains("world"))).toBe(true);
    expect(check((b) => b.prop("tags").contains("b"))).toBe(true);
    expect(check((b) => b.prop("missing").exists())).toBe(false);
    expect(check((b) => b.prop("nested.country").eq("DE"))).toBe(true);
  });

  it("compares a number and a numeric string as numbers, whichever side the string is on", () => {
    expect(evaluateCondition({ op: "gt", key: "n", value: 4 }, { n: "5" })).toBe(true);
    expect(evaluateCondition({ op: "gt", key: "n", value: "4" }, { n: 5 })).toBe(true);
    expect(evaluateCondition({ op: "lt", key: "n", value: "x" }, { n: 5 })).toBe(false);
  });

  it("sees only the event's own properties: object built-ins are not properties", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty", "nested.constructor"]) {
      expect(evaluateCondition({ op: "exists", key }, props), key).toBe(false);
    }
    expect(evaluateCondition({ op: "exists", key: "constructor" }, { constructor: "given" })).toBe(true);
  });

  it("a comparison against a missing or mistyped value is false, never a throw", () => {
    expect(check((b) => b.prop("missing").gt(1))).toBe(false);
    expect(check((b) => b.prop("plan").gt(1))).toBe(false);
  });

  it("combines with all, any, not", () => {
    expect(check((b) => b.all(b.prop("plan").eq("enterprise"), b.prop("seats").gt(100)))).toBe(false);
    expect(check((b) => b.any(b.prop("plan").eq("free"), b.prop("seats").gt(10)))).toBe(true);
    expect(check((b) => b.not(b.prop("plan").eq("free")))).toBe(true);
  });

  it("serializes to JSON and evaluates the same after a round trip", () => {
    const condition = buildCondition((b) => b.all(b.prop("plan").eq("enterprise"), b.not(b.prop("seats").lt(5))));
    expect(evaluateCondition(JSON.parse(JSON.stringify(condition)), props)).toBe(true);
  });

  it("checks keys and values against declared event properties (the @ts-expect-error lines are type errors)", () => {
    type Answer = { answer: "yes" | "no"; score: number; meta: { source: string } };
    const typed: Where<Answer>[] = [
      (b) => b.prop("answer").eq("no"),
      (b) => b.prop("answer").in(["yes", "no"]),
      (b) => b.prop("score").gte(3),
      (b) => b.prop("meta.source").eq("email"),
      // @ts-expect-error: "maybe" is not an answer
      (b) => b.prop("answer").eq("maybe"),
      // @ts-expect-error: no such property
      (b) => b.prop("answr").exists(),
    ];
    const answer = { answer: "no", score: 4, meta: { source: "email" } };
    expect(typed.map((w) => evaluateCondition(buildCondition(w), answer))).toEqual([true, true, true, true, false, false]);
  });
});
