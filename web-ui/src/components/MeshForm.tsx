import { useState } from "react";
import type { Mesh, MeshLink, MeshMember, MeshRequest, Topology } from "../api/mesh";
import type { Site } from "../api/types";
import { Field } from "./ui";
import { FormFooter, useSave, type Reload } from "./forms";

const TOPOLOGIES: { value: Topology; label: string; hint: string }[] = [
  { value: "FULL_MESH", label: "Full mesh", hint: "every member site links directly to every other" },
  { value: "HUB_AND_SPOKE", label: "Hub and spoke", hint: "spokes link to the hubs only and reach each other through the first hub" },
  { value: "EXPLICIT", label: "Explicit links", hint: "only the pairs you tick; no transit" },
];

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Creates or edits a mesh: its member sites (each with an optional router endpoint), and hubs or links as the
 * topology needs. Hubs keep the order they were ticked in (the first hub with an active router carries spoke
 * traffic). The controller validates the whole (conflicting prefixes, hub routers); its messages show here.
 */
export function MeshForm({
  initial,
  sites,
  save,
  onSaved,
  onReload,
}: {
  initial?: Mesh;
  sites: Site[];
  save: (r: MeshRequest) => Promise<Mesh>;
  onSaved: (m: Mesh) => void;
} & Reload) {
  const [name, setName] = useState(initial?.name ?? "");
  const [topology, setTopology] = useState<Topology>(initial?.topology ?? "FULL_MESH");
  const [members, setMembers] = useState<MeshMember[]>(initial?.members ?? []);
  const [hubs, setHubs] = useState<string[]>(initial?.hubs ?? []);
  const [links, setLinks] = useState<Set<string>>(new Set((initial?.links ?? []).map((l) => pairKey(l.siteA, l.siteB))));
  const isMember = (id: string) => members.some((x) => x.siteId === id);
  const memberIds = sites.filter((s) => isMember(s.id)).map((s) => s.id);
  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id.slice(0, 8);

  const toggleMember = (id: string, on: boolean) => {
    setMembers((ms) => (on ? [...ms, { siteId: id, endpoint: null }] : ms.filter((x) => x.siteId !== id)));
    if (!on) setHubs((h) => h.filter((x) => x !== id));
  };
  const setEndpoint = (id: string, endpoint: string) =>
    setMembers((ms) => ms.map((x) => (x.siteId === id ? { ...x, endpoint: endpoint.trim() ? endpoint : null } : x)));

  const body = (): MeshRequest => {
    const ids = new Set(memberIds);
    const chosenLinks: MeshLink[] = [...links]
      .map((k) => k.split("|"))
      .filter(([a, b]) => ids.has(a) && ids.has(b))
      .map(([siteA, siteB]) => ({ siteA, siteB }));
    return {
      name,
      topology,
      members: members.map((x) => ({ ...x, endpoint: x.endpoint?.trim() || null })),
      hubs: topology === "HUB_AND_SPOKE" ? hubs.filter((h) => ids.has(h)) : [],
      links: topology === "EXPLICIT" ? chosenLinks : [],
    };
  };
  const { errors, error, stale, busy, submit } = useSave(() => save(body()), onSaved);
  const fieldsStarting = (prefix: string) =>
    Object.entries(errors)
      .filter(([k]) => k.startsWith(prefix))
      .map(([, v]) => v)
      .join("; ") || undefined;

  return (
    <form onSubmit={submit} noValidate className="mesh-form">
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Topology" error={errors.topology} hint={TOPOLOGIES.find((t) => t.value === topology)?.hint}>
        {(p) => (
          <select {...p} name="topology" value={topology} onChange={(e) => setTopology(e.target.value as Topology)}>
            {TOPOLOGIES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset aria-describedby={fieldsStarting("members") ? "mesh-members-err" : undefined}>
        <legend>Member sites</legend>
        {sites.length === 0 && <p>This network has no sites yet: create sites first.</p>}
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Router endpoint (host:port, optional)</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => {
              const member = members.find((x) => x.siteId === s.id);
              return (
                <tr key={s.id}>
                  <td>
                    <label>
                      <input
                        type="checkbox"
                        name="member"
                        value={s.id}
                        checked={!!member}
                        onChange={(e) => toggleMember(s.id, e.target.checked)}
                      />{" "}
                      {s.name}
                    </label>
                  </td>
                  <td>
                    <input
                      aria-label={`Router endpoint of ${s.name}`}
                      name={`endpoint-${s.name}`}
                      disabled={!member}
                      value={member?.endpoint ?? ""}
                      placeholder="the agent's own endpoint"
                      onChange={(e) => setEndpoint(s.id, e.target.value)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {fieldsStarting("members") && (
          <small id="mesh-members-err" className="field-error" role="alert">
            {fieldsStarting("members")}
          </small>
        )}
      </fieldset>
      {topology === "HUB_AND_SPOKE" && (
        <fieldset>
          <legend>Hubs, in order of preference</legend>
          {memberIds.length === 0 && <p>Choose member sites first.</p>}
          {memberIds.map((id) => (
            <label key={id} className="choice">
              <input
                type="checkbox"
                name="hub"
                checked={hubs.includes(id)}
                onChange={(e) => {
                  const on = e.target.checked;
                  setHubs((h) => (on ? [...h, id] : h.filter((x) => x !== id)));
                }}
              />{" "}
              {siteName(id)}
              {hubs.includes(id) ? ` (hub ${hubs.indexOf(id) + 1})` : ""}
            </label>
          ))}
          {fieldsStarting("hubs") && (
            <small className="field-error" role="alert">
              {fieldsStarting("hubs")}
            </small>
          )}
        </fieldset>
      )}
      {topology === "EXPLICIT" && (
        <fieldset>
          <legend>Direct links</legend>
          {memberIds.length < 2 && <p>Choose at least two member sites first.</p>}
          {memberIds.flatMap((a, i) =>
            memberIds.slice(i + 1).map((b) => {
              const k = pairKey(a, b);
              return (
                <label key={k} className="choice">
                  <input
                    type="checkbox"
                    name="link"
                    checked={links.has(k)}
                    onChange={(e) =>
                      setLinks((l) => {
                        const next = new Set(l);
                        if (e.target.checked) next.add(k);
                        else next.delete(k);
                        return next;
                      })
                    }
                  />{" "}
                  {siteName(a)} ↔ {siteName(b)}
                </label>
              );
            }),
          )}
          {fieldsStarting("links") && (
            <small className="field-error" role="alert">
              {fieldsStarting("links")}
            </small>
          )}
        </fieldset>
      )}
      <FormFooter busy={busy} error={error} stale={stale} onReload={onReload} label={initial ? "Save mesh" : "Create mesh"} />
    </form>
  );
}
