import { useState, type ReactNode } from "react";
import type { Tagged } from "../api/client";
import { Loading, Notice } from "./ui";
import { useAsync } from "./useAsync";

/**
 * Reads the resource an edit form starts from, keeping its ETag for the save's If-Match. {@code reload} reads it
 * again (after a 412): the form is remounted with the current values and the new ETag, so the operator redoes the
 * change on what is there now instead of overwriting someone else's.
 */
export function TaggedEdit<T>({
  load,
  children,
}: {
  load: () => Promise<Tagged<T>>;
  children: (value: T, etag: string | null, reload: () => void) => ReactNode;
}) {
  const [generation, setGeneration] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const current = useAsync(load, [generation]);
  const reload = () => setGeneration((g) => g + 1);
  if (current.error && !current.data) return <Notice error={current.error} />;
  if (!current.data || current.loading) return <Loading what="Loading the current version" />;
  return <div key={`${generation}:${current.data.etag}`}>{children(current.data.body, current.data.etag, reload)}</div>;
}

/** Message for a conditional delete refused with 412; the caller reloads its list. */
export function staleDeleteMessage(what: string) {
  return `${what} was changed by someone else since you loaded this page. The list has been reloaded: check it, then delete again if you still want to.`;
}
