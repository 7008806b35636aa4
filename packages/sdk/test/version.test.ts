// Goal: the package builds and exposes its public entry point; method: import by public name.
import { describe, expect, it } from "vitest";
import { VERSION } from "@cairn/sdk";

describe("package entry", () => {
  it("exports its version", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
