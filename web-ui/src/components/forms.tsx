import { useState, type FormEvent } from "react";
import { ApiError, errorMessage, isStaleEdit } from "../api/client";
import type { Network, NetworkRequest, Peer, PeerRequest, Site, SiteRequest } from "../api/types";
import { Field } from "./ui";

/**
 * Runs a save; field errors go next to their inputs, the rest to the form's alert. A 412 (someone else saved in
 * between) marks the form stale: its footer then offers to reload the current version.
 */
export function useSave<T>(save: () => Promise<T>, onSaved: (t: T) => void) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    setStale(false);
    try {
      onSaved(await save());
    } catch (err) {
      if (isStaleEdit(err)) {
        setStale(true);
        setError(errorMessage(err));
      } else if (err instanceof ApiError) {
        const fields = err.fieldErrors();
        setErrors(fields);
        setError(Object.keys(fields).length ? "Please correct the marked fields." : err.message);
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };
  return { errors, error, stale, busy, submit };
}

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s: string) => (s.trim() === "" ? null : Number(s));

/** Set on forms that edit an existing resource: reads it again after a 412. */
export type Reload = { onReload?: () => void };

export function FormFooter({
  busy,
  error,
  label,
  stale,
  onReload,
}: { busy: boolean; error: string | null; label: string; stale?: boolean } & Reload) {
  return (
    <>
      <div className="notice error" role="alert" hidden={!error}>
        {error}
      </div>
      <div className="actions">
        {stale && onReload && (
          <button type="button" onClick={onReload}>
            Reload current version
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : label}
        </button>
      </div>
    </>
  );
}

export function NetworkForm({
  initial,
  save,
  onSaved,
  onReload,
}: {
  initial?: Network;
  save: (r: NetworkRequest) => Promise<Network>;
  onSaved: (n: Network) => void;
} & Reload) {
  const [name, setName] = useState(initial?.name ?? "");
  const [v4, setV4] = useState(initial?.ipv4Prefix ?? "");
  const [v6, setV6] = useState(initial?.ipv6Prefix ?? "");
  const [mtu, setMtu] = useState(String(initial?.mtu ?? 1420));
  const [dns, setDns] = useState((initial?.dnsServers ?? []).join(", "));
  const [ka, setKa] = useState(String(initial?.persistentKeepalive ?? 0));
  const { errors, error, stale, busy, submit } = useSave(
    () =>
      save({
        name,
        ipv4Prefix: v4,
        ipv6Prefix: v6.trim() || null,
        mtu: num(mtu),
        dnsServers: list(dns),
        persistentKeepalive: num(ka),
      }),
    onSaved,
  );
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="IPv4 prefix" error={errors.ipv4Prefix} hint="e.g. 10.100.0.0/16 (/8 to /30)">
        {(p) => <input {...p} name="ipv4Prefix" value={v4} onChange={(e) => setV4(e.target.value)} />}
      </Field>
      <Field label="IPv6 prefix (optional)" error={errors.ipv6Prefix}>
        {(p) => <input {...p} name="ipv6Prefix" value={v6} onChange={(e) => setV6(e.target.value)} />}
      </Field>
      <Field label="MTU" error={errors.mtu}>
        {(p) => <input {...p} name="mtu" inputMode="numeric" value={mtu} onChange={(e) => setMtu(e.target.value)} />}
      </Field>
      <Field label="DNS servers" error={errors.dnsServers} hint="comma separated">
        {(p) => <input {...p} name="dnsServers" value={dns} onChange={(e) => setDns(e.target.value)} />}
      </Field>
      <Field label="Persistent keepalive (s, 0 = off)" error={errors.persistentKeepalive}>
        {(p) => (
          <input {...p} name="persistentKeepalive" inputMode="numeric" value={ka} onChange={(e) => setKa(e.target.value)} />
        )}
      </Field>
      <FormFooter busy={busy} error={error} stale={stale} onReload={onReload} label={initial ? "Save network" : "Create network"} />
    </form>
  );
}

export function SiteForm({
  initial,
  save,
  onSaved,
  onReload,
}: {
  initial?: Site;
  save: (r: SiteRequest) => Promise<Site>;
  onSaved: (s: Site) => void;
} & Reload) {
  const [name, setName] = useState(initial?.name ?? "");
  const [lans, setLans] = useState((initial?.lanPrefixes ?? []).join(", "));
  const { errors, error, stale, busy, submit } = useSave(() => save({ name, lanPrefixes: list(lans) }), onSaved);
  const lanError = Object.entries(errors)
    .filter(([k]) => k.startsWith("lanPrefixes"))
    .map(([, v]) => v)
    .join("; ");
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="LAN prefixes" error={lanError || undefined} hint="comma separated, e.g. 192.168.10.0/24">
        {(p) => <input {...p} name="lanPrefixes" value={lans} onChange={(e) => setLans(e.target.value)} />}
      </Field>
      <FormFooter busy={busy} error={error} stale={stale} onReload={onReload} label={initial ? "Save site" : "Create site"} />
    </form>
  );
}

export function PeerForm({
  initial,
  kind,
  sites,
  save,
  onSaved,
  onReload,
}: {
  initial?: Peer;
  kind: "AGENT" | "DEVICE";
  sites: Site[];
  save: (r: PeerRequest) => Promise<Peer>;
  onSaved: (p: Peer) => void;
} & Reload) {
  const [name, setName] = useState(initial?.name ?? "");
  const [publicKey, setPublicKey] = useState(initial?.publicKey ?? "");
  const [siteId, setSiteId] = useState(initial?.siteId ?? "");
  const [endpoint, setEndpoint] = useState(initial?.endpoint ?? "");
  const [tags, setTags] = useState((initial?.tags ?? []).join(", "));
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const { errors, error, stale, busy, submit } = useSave(
    () =>
      save({
        name,
        kind,
        publicKey: publicKey.trim() || null,
        siteId: kind === "AGENT" ? siteId || null : null,
        endpoint: endpoint.trim() || null,
        enabled,
        tags: list(tags),
      }),
    onSaved,
  );
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field
        label={kind === "DEVICE" ? "Public key (optional: leave empty to generate)" : "Public key"}
        error={errors.publicKey}
      >
        {(p) => (
          <input
            {...p}
            name="publicKey"
            value={publicKey}
            readOnly={!!initial}
            onChange={(e) => setPublicKey(e.target.value)}
          />
        )}
      </Field>
      {kind === "AGENT" && (
        <Field label="Site" error={errors.siteId}>
          {(p) => (
            <select {...p} name="siteId" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              <option value="">(none)</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Endpoint (host:port, optional)" error={errors.endpoint}>
        {(p) => <input {...p} name="endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />}
      </Field>
      <Field label="Tags" error={errors.tags} hint="comma separated">
        {(p) => <input {...p} name="tags" value={tags} onChange={(e) => setTags(e.target.value)} />}
      </Field>
      <div className="field checkbox">
        <label>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
      </div>
      <FormFooter busy={busy} error={error} stale={stale} onReload={onReload} label={initial ? "Save peer" : kind === "DEVICE" ? "Add device" : "Add agent peer"} />
    </form>
  );
}
