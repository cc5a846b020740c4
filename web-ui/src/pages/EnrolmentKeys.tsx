import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import { ApiError, errorMessage } from "../api/client";
import type { CreatedEnrolmentKey, Site } from "../api/types";
import { useAuth } from "../auth";
import { Dialog, Field, Loading, Notice, SecretOnce, fmtTime } from "../components/ui";
import { useAsync } from "../components/useAsync";

export function EnrolmentKeys({ networkId, sites }: { networkId: string; sites: Site[] }) {
  const { canEdit } = useAuth();
  const keys = useAsync(() => api.enrolmentKeys(networkId), [networkId]);
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedEnrolmentKey | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const revoke = async (id: string) => {
    if (!window.confirm("Revoke this enrolment key?")) return;
    try {
      await api.revokeEnrolmentKey(networkId, id);
      keys.reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };
  return (
    <section aria-labelledby="keys-h">
      <div className="page-head">
        <h2 id="keys-h">Enrolment keys</h2>
        {canEdit && (
          <button type="button" onClick={() => setOpen(true)}>
            New enrolment key
          </button>
        )}
      </div>
      <Notice error={keys.error ?? actionError} />
      {keys.loading && !keys.data && <Loading />}
      {keys.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Uses</th>
              <th scope="col">Site</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name ?? "—"}</td>
                <td>
                  {k.useCount}
                  {k.usageLimit ? ` / ${k.usageLimit}` : k.reusable ? " (reusable)" : ""}
                </td>
                <td>{sites.find((s) => s.id === k.siteId)?.name ?? "—"}</td>
                <td>{fmtTime(k.expiresAt)}</td>
                <td>{k.revokedAt ? "revoked" : new Date(k.expiresAt) < new Date() ? "expired" : "active"}</td>
                {canEdit && (
                  <td>
                    {!k.revokedAt && (
                      <button type="button" className="danger" onClick={() => void revoke(k.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {keys.data.length === 0 && (
              <tr>
                <td colSpan={6}>No enrolment keys.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {open && (
        <Dialog
          title={created ? "Enrolment key created" : "New enrolment key"}
          onClose={() => {
            setOpen(false);
            setCreated(null);
          }}
        >
          {created ? (
            <SecretOnce label="Join token" value={created.joinToken ?? created.secret} />
          ) : (
            <NewKeyForm
              networkId={networkId}
              sites={sites}
              onCreated={(c) => {
                setCreated(c);
                keys.reload();
              }}
            />
          )}
        </Dialog>
      )}
    </section>
  );
}

function NewKeyForm({
  networkId,
  sites,
  onCreated,
}: {
  networkId: string;
  sites: Site[];
  onCreated: (c: CreatedEnrolmentKey) => void;
}) {
  const [name, setName] = useState("");
  const [reusable, setReusable] = useState(false);
  const [limit, setLimit] = useState("");
  const [siteId, setSiteId] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    try {
      onCreated(
        await api.createEnrolmentKey(networkId, {
          name: name || undefined,
          reusable,
          usageLimit: reusable && limit ? Number(limit) : null,
          siteId: siteId || null,
        }),
      );
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="field checkbox">
        <label>
          <input type="checkbox" checked={reusable} onChange={(e) => setReusable(e.target.checked)} /> Reusable
        </label>
      </div>
      {reusable && (
        <Field label="Usage limit (empty = unlimited)" error={errors.usageLimit}>
          {(p) => <input {...p} inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} />}
        </Field>
      )}
      <Field label="Site" error={errors.siteId}>
        {(p) => (
          <select {...p} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
            <option value="">(any)</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="notice error" role="alert" hidden={!error}>
        {error}
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Create key
        </button>
      </div>
    </form>
  );
}
