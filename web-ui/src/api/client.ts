/**
 * The typed fetch wrapper every page uses.
 *
 * Contract: session cookie auth; every non-GET echoes the XSRF-TOKEN cookie as X-XSRF-TOKEN (Spring Security's
 * SPA CSRF scheme); a 401 calls the registered handler (the app shows the login page); every non-2xx answer becomes
 * an {@link ApiError} whose message is readable, with RFC 9457 field errors kept per field.
 *
 * Concurrency (controller/API.md "Rules worth knowing"): a GET of one resource answers an ETag; edits send it back
 * as If-Match, and a 412 means someone else changed the resource since it was read: {@link isStaleEdit}.
 */

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details as the controller sends them (application/problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: Problem, retryAfterSeconds: number | null = null) {
    super(describeProblem(status, problem));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Field errors by field name (several messages for one field are joined). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const key = e.field ?? "";
      out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
    }
    return out;
  }
}

/** What a 412 says, whatever the controller's detail (which names ETag versions, not useful to an operator). */
export const STALE_EDIT = "This was changed by someone else since you loaded it. Reload to see the current version, then make your change again.";

const STATUS_TEXT: Record<number, string> = {
  400: "The request was invalid",
  401: "You are not logged in",
  403: "You are not allowed to do this",
  404: "Not found",
  409: "Conflict with the current state",
  412: STALE_EDIT,
  413: "The request is too large",
  422: "The request cannot be processed",
  429: "Too many requests; wait a moment",
  500: "The controller failed; see its log",
  502: "The controller is unreachable",
  503: "The controller is unavailable",
};

/** A one-line human message: the problem's detail, else its title, else a generic text for the status. */
export function describeProblem(status: number, problem: Problem): string {
  if (status === 412) return STALE_EDIT;
  const base = problem.detail?.trim() || problem.title?.trim() || STATUS_TEXT[status] || `HTTP ${status}`;
  const general = (problem.errors ?? []).filter((e) => !e.field);
  return general.length ? `${base}: ${general.map((e) => e.message).join("; ")}` : base;
}

/** Parses any error body; non-JSON bodies (a proxy's HTML page) give an empty problem. */
export async function parseProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => "");
  if (!text) return {};
  try {
    const body = JSON.parse(text) as unknown;
    return body && typeof body === "object" ? (body as Problem) : {};
  } catch {
    return {};
  }
}

export function readCookie(name: string, cookies: string = typeof document === "undefined" ? "" : document.cookie) {
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** The app registers what a 401 means (show the login page). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler) {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  /** The ETag of the version this write is based on (sent as If-Match). */
  ifMatch?: string | null;
  /** Login answers 401 for bad credentials: that is a form error, not a lost session. */
  skipUnauthorizedHandler?: boolean;
  fetcher?: typeof fetch;
}

export function withQuery(path: string, query?: RequestOptions["query"]) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

/** A resource with the ETag its answer carried (null when the answer had none). */
export interface Tagged<T> {
  body: T;
  etag: string | null;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestTagged<T>(path, options)).body;
}

/** As {@link request}, keeping the answer's ETag for a later If-Match. */
export async function requestTagged<T>(path: string, options: RequestOptions = {}): Promise<Tagged<T>> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const token = readCookie("XSRF-TOKEN");
    if (token) headers["X-XSRF-TOKEN"] = token;
  }
  if (options.ifMatch) headers["If-Match"] = options.ifMatch;
  const fetcher = options.fetcher ?? fetch;
  let response: Response;
  try {
    response = await fetcher(withQuery(path, options.query), {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, { detail: `The controller is unreachable (${(e as Error).message})` });
  }
  if (!response.ok) {
    const problem = await parseProblem(response);
    if (response.status === 401 && !options.skipUnauthorizedHandler) onUnauthorized();
    const retry = response.headers.get("Retry-After");
    throw new ApiError(response.status, problem, retry ? Number(retry) : null);
  }
  const etag = response.headers.get("ETag");
  if (response.status === 204) return { body: undefined as T, etag };
  const text = await response.text();
  return { body: (text ? JSON.parse(text) : undefined) as T, etag };
}

/** True for a write refused because the resource changed since it was read (412). */
export function isStaleEdit(e: unknown): boolean {
  return e instanceof ApiError && e.status === 412;
}

/**
 * The ETag of a resource version as the controller forms it (API.md: "its version"): list items carry the
 * version, so a row can be deleted conditionally without reading it again.
 */
export function etagOfVersion(version: number): string {
  return `"${version}"`;
}

/** A message for anything a request may throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
