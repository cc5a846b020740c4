import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, STALE_EDIT, describeProblem, isStaleEdit, readCookie, request, requestTagged, setUnauthorizedHandler, withQuery } from "./client";

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  }) as unknown as typeof fetch;
  return { fetcher, calls };
}

afterEach(() => {
  document.cookie = "XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  setUnauthorizedHandler(() => {});
});

describe("CSRF", () => {
  it("echoes the XSRF-TOKEN cookie on writes", async () => {
    document.cookie = "XSRF-TOKEN=abc%2D123";
    const { fetcher, calls } = fakeFetch(200, { id: "n1" });
    await request("/api/v1/networks", { method: "POST", body: { name: "x" }, fetcher });
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers["X-XSRF-TOKEN"]).toBe("abc-123");
    expect(headers["Content-Type"]).toBe("application/json");
    expect(calls[0].init.body).toBe('{"name":"x"}');
  });

  it("sends no token on GET", async () => {
    document.cookie = "XSRF-TOKEN=abc";
    const { fetcher, calls } = fakeFetch(200, {});
    await request("/api/v1/networks", { fetcher });
    expect((calls[0].init.headers as Record<string, string>)["X-XSRF-TOKEN"]).toBeUndefined();
  });

  it("reads one cookie among several", () => {
    expect(readCookie("XSRF-TOKEN", "SESSION=s; XSRF-TOKEN=t=1; other=o")).toBe("t=1");
    expect(readCookie("XSRF-TOKEN", "SESSION=s")).toBeNull();
  });
});

describe("problem details", () => {
  it("keeps field errors per field and a readable message", async () => {
    const { fetcher } = fakeFetch(
      400,
      {
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        detail: "Invalid input",
        errors: [
          { field: "ipv4Prefix", message: "must be a prefix of length 8-30" },
          { field: "name", message: "must not be blank" },
          { field: "name", message: "too short" },
        ],
      },
      { "Content-Type": "application/problem+json" },
    );
    const err = await request<never>("/api/v1/networks", { method: "POST", body: {}, fetcher }).catch((e: unknown) => e as ApiError);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.message).toBe("Invalid input");
    expect(err.fieldErrors()).toEqual({ ipv4Prefix: "must be a prefix of length 8-30", name: "must not be blank; too short" });
  });

  it("falls back to the title, then to a text for the status", () => {
    expect(describeProblem(409, { title: "Conflict" })).toBe("Conflict");
    expect(describeProblem(412, {})).toMatch(/changed by someone else/);
    expect(describeProblem(412, { detail: "If-Match \"3\" does not match the current version \"4\"" })).toBe(STALE_EDIT);
    expect(describeProblem(599, {})).toBe("HTTP 599");
  });

  it("survives a non-JSON error body", async () => {
    const { fetcher } = fakeFetch(502, "<html>bad gateway</html>");
    const err = await request<never>("/x", { fetcher }).catch((e: unknown) => e as ApiError);
    expect(err.message).toBe("The controller is unreachable");
  });

  it("turns a network failure into a readable error", async () => {
    const fetcher = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    const err = await request<never>("/x", { fetcher }).catch((e: unknown) => e as ApiError);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain("unreachable");
  });

  it("reads Retry-After of a 429", async () => {
    const { fetcher } = fakeFetch(429, { detail: "Too many failed logins; retry in 42 s" }, { "Retry-After": "42" });
    const err = await request<never>("/api/v1/auth/login", { method: "POST", body: {}, fetcher }).catch((e: unknown) => e as ApiError);
    expect(err.retryAfterSeconds).toBe(42);
  });
});

describe("401", () => {
  it("calls the unauthorized handler", async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const { fetcher } = fakeFetch(401, { title: "Unauthorized" });
    await request("/api/v1/networks", { fetcher }).catch(() => {});
    expect(handler).toHaveBeenCalledOnce();
  });

  it("does not for a failed login", async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const { fetcher } = fakeFetch(401, { detail: "Invalid username or password" });
    await request("/api/v1/auth/login", { method: "POST", body: {}, fetcher, skipUnauthorizedHandler: true }).catch(() => {});
    expect(handler).not.toHaveBeenCalled();
  });
});

it("builds query strings without empty filters", () => {
  expect(withQuery("/p", { page: 0, name: "", kind: undefined, enabled: false })).toBe("/p?page=0&enabled=false");
  expect(withQuery("/p?a=1", { b: "x y" })).toBe("/p?a=1&b=x+y");
});

describe("ETags", () => {
  it("keeps the ETag of a read and sends it back as If-Match", async () => {
    const read = fakeFetch(200, { id: "n1", version: 3 }, { ETag: '"3"' });
    const got = await requestTagged<{ id: string }>("/api/v1/networks/n1", { fetcher: read.fetcher });
    expect(got).toEqual({ body: { id: "n1", version: 3 }, etag: '"3"' });
    const write = fakeFetch(200, { id: "n1", version: 4 }, { ETag: '"4"' });
    const saved = await requestTagged("/api/v1/networks/n1", { method: "PUT", body: {}, ifMatch: got.etag, fetcher: write.fetcher });
    expect((write.calls[0].init.headers as Record<string, string>)["If-Match"]).toBe('"3"');
    expect(saved.etag).toBe('"4"');
  });

  it("sends no If-Match without an ETag", async () => {
    const { fetcher, calls } = fakeFetch(204, null);
    await request("/api/v1/networks/n1", { method: "DELETE", fetcher });
    expect((calls[0].init.headers as Record<string, string>)["If-Match"]).toBeUndefined();
  });

  it("turns a 412 into the stale-edit message", async () => {
    const { fetcher } = fakeFetch(412, { status: 412, detail: 'If-Match "3" does not match the current version "4"' });
    const err = await request("/api/v1/networks/n1", { method: "PUT", body: {}, ifMatch: '"3"', fetcher }).catch((e: unknown) => e);
    expect(isStaleEdit(err)).toBe(true);
    expect((err as ApiError).message).toBe(STALE_EDIT);
    expect(isStaleEdit(new ApiError(409, {}))).toBe(false);
  });
});
