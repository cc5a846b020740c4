import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "../api/client";

/** Loads data without blocking the page: {data, error, loading}; stale answers of superseded loads are ignored. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    load()
      .then((d) => {
        if (mine === generation.current) {
          setData(d);
          setError(null);
        }
      })
      .catch((e) => mine === generation.current && setError(errorMessage(e)))
      .finally(() => mine === generation.current && setLoading(false));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    run();
    return () => {
      generation.current++;
    };
  }, [run]);
  return { data, error, loading, reload: run };
}
