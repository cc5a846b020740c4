import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import { ApiError, errorMessage } from "../api/client";
import type { CreatedApiToken, TokenScope } from "../api/types";
import { Dialog, Field, Loading, Notice, SecretOnce, fmtTime } from "../components/ui";
import { useAsync } from "../components/useAsync";

export function Tokens() {
  const tokens = useAsync(() => api.tokens(), []);
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const revoke = async (id: string, name: string) => {
    if (!window.confirm(`Revoke token ${name}?`)) return;
    try {
      await api.revokeToken(id);
      tokens.reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };
  return (
    <section>
      <div className="page-head">
        <h1>API tokens</h1>
        <button type="button" className="primary" onClick={() => setOpen(true)}>
          New token
        </button>
      </div>
      <Notice error={tokens.error ?? actionError} />
      {tokens.loading && !tokens.data && <Loading />}
      {tokens.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Created by</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.scope}</td>
                <td>{t.createdBy}</td>
                <td>{fmtTime(t.expiresAt)}</td>
                <td>{fmtTime(t.lastUsedAt)}</td>
                <td>{t.revokedAt ? "revoked" : new Date(t.expiresAt) < new Date() ? "expired" : "active"}</td>
                <td>
                  {!t.revokedAt && (
                    <button type="button" className="danger" onClick={() => void revoke(t.id, t.name)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {tokens.data.length === 0 && (
              <tr>
                <td colSpan={7}>No tokens.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {open && (
        <Dialog
          title={created ? "Token created" : "New API token"}
          onClose={() => {
            setOpen(false);
            setCreated(null);
          }}
        >
          {created ? (
            <SecretOnce label="Token" value={created.secret} />
          ) : (
            <NewTokenForm
              onCreated={(c) => {
                setCreated(c);
                tokens.reload();
              }}
            />
          )}
        </Dialog>
      )}
    </section>
  );
}

function NewTokenForm({ onCreated }: { onCreated: (c: CreatedApiToken) => void }) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("READ");
  const [days, setDays] = useState("90");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    const d = Number(days);
    try {
      onCreated(
        await api.createToken({
          name,
          scope,
          expiresAt: days && Number.isFinite(d) ? new Date(Date.now() + d * 86400_000).toISOString() : null,
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
      <Field label="Scope" error={errors.scope}>
        {(p) => (
          <select {...p} value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
            <option value="READ">READ (acts as viewer)</option>
            <option value="WRITE">WRITE (acts as admin)</option>
          </select>
        )}
      </Field>
      <Field label="Valid for (days, at most 730)" error={errors.expiresAt}>
        {(p) => <input {...p} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
      </Field>
      <div className="notice error" role="alert" hidden={!error}>
        {error}
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Create token
        </button>
      </div>
    </form>
  );
}
