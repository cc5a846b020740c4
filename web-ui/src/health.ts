/** The controller's overall health as /actuator/health reports it. */
export type HealthStatus = "UP" | "DOWN" | "OUT_OF_SERVICE" | "UNKNOWN";

/** Reads /actuator/health; any transport or HTTP failure is reported as UNKNOWN with a readable reason. */
export async function fetchHealth(fetcher: typeof fetch = fetch): Promise<{ status: HealthStatus; error?: string }> {
  try {
    const response = await fetcher("/actuator/health", { headers: { Accept: "application/json" } });
    if (!response.ok && response.status !== 503) {
      return { status: "UNKNOWN", error: `health check answered HTTP ${response.status}` };
    }
    const body = (await response.json()) as { status?: string };
    const known: HealthStatus[] = ["UP", "DOWN", "OUT_OF_SERVICE"];
    return known.includes(body.status as HealthStatus)
      ? { status: body.status as HealthStatus }
      : { status: "UNKNOWN", error: "health check gave no status" };
  } catch (e) {
    return { status: "UNKNOWN", error: `controller unreachable: ${(e as Error).message}` };
  }
}
