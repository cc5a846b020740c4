import { describe, expect, it } from "vitest";
import { fetchHealth } from "./health";

const respond = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe("fetchHealth", () => {
  it("reports UP", async () => {
    expect(await fetchHealth(respond(200, { status: "UP" }))).toEqual({ status: "UP" });
  });
  it("reports DOWN from a 503", async () => {
    expect(await fetchHealth(respond(503, { status: "DOWN" }))).toEqual({ status: "DOWN" });
  });
  it("explains other HTTP errors", async () => {
    expect((await fetchHealth(respond(401, {}))).error).toContain("401");
  });
  it("explains a network failure", async () => {
    const failing = (async () => {
      throw new Error("refused");
    }) as unknown as typeof fetch;
    expect(await fetchHealth(failing)).toMatchObject({ status: "UNKNOWN", error: expect.stringContaining("refused") });
  });
});
