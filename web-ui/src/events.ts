import { useEffect, useRef } from "react";
import type { Agent, StatsEvent } from "./api/types";

export interface EventHandlers {
  onStats?: (e: StatsEvent) => void;
  onAgent?: (a: Agent) => void;
  onStatus?: (connected: boolean) => void;
}

/**
 * Subscribes to /api/v1/events?networkId= (nothing without a network) (Server-Sent Events; the session cookie authenticates, GET needs no CSRF token).
 * EventSource reconnects by itself; the handlers are read through a ref so re-renders do not reconnect.
 */
export function useEvents(networkId: string | undefined, handlers: EventHandlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    // The controller streams one network at a time (networkId is required).
    if (typeof EventSource === "undefined" || !networkId) return;
    const url = `/api/v1/events?networkId=${encodeURIComponent(networkId)}`;
    const source = new EventSource(url, { withCredentials: true });
    const parse = <T,>(m: MessageEvent): T | null => {
      try {
        return JSON.parse(m.data as string) as T;
      } catch {
        return null;
      }
    };
    source.addEventListener("stats", (m) => {
      const e = parse<StatsEvent>(m as MessageEvent);
      if (e) ref.current.onStats?.(e);
    });
    source.addEventListener("agent", (m) => {
      const a = parse<Agent>(m as MessageEvent);
      if (a) ref.current.onAgent?.(a);
    });
    source.onopen = () => ref.current.onStatus?.(true);
    source.onerror = () => ref.current.onStatus?.(false);
    return () => source.close();
  }, [networkId]);
}
