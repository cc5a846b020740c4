import { useEffect, useState } from "react";
import { fetchHealth, type HealthStatus } from "./health";

export function App() {
  const [health, setHealth] = useState<{ status: HealthStatus; error?: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    fetchHealth().then((h) => {
      if (!cancelled) setHealth(h);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <main>
      <h1>wgmesh</h1>
      <p>WireGuard mesh controller.</p>
      <p role="status" aria-live="polite">
        Controller: {health === null ? "checking…" : health.status}
        {health?.error ? ` — ${health.error}` : ""}
      </p>
    </main>
  );
}
