import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../api/client";
import type { Plan, Rollout, RolloutRequest } from "../api/mesh";
import { Field } from "./ui";

/** How a plan's agents fall into waves: the canary first, then waves of {@code waveSize}. */
export function waveSizes(agents: number, canarySize: number, waveSize: number): number[] {
  if (agents <= 0 || canarySize < 1 || waveSize < 1) return [];
  const out = [Math.min(canarySize, agents)];
  for (let left = agents - out[0]; left > 0; left -= waveSize) out.push(Math.min(waveSize, left));
  return out;
}

const STEPS = ["Review", "Waves", "Start"] as const;

/**
 * Starts a rollout of the plan's target revision in three steps: review what changes, choose the waves (canary size,
 * wave size, the pause between waves, the gate timeout, health gates), then confirm. Out-of-range values come back
 * from the controller as field errors and keep the wizard on the waves step.
 */
export function RolloutWizard({
  plan,
  start,
  onStarted,
  onCancel,
}: {
  plan: Plan;
  start: (r: RolloutRequest) => Promise<Rollout>;
  onStarted: (r: Rollout) => void;
  onCancel: () => void;
}) {
  const [step, setStep] = useState(0);
  const [canary, setCanary] = useState("1");
  const [wave, setWave] = useState("5");
  const [pause, setPause] = useState("0");
  const [timeout, setTimeoutS] = useState("60");
  const [gates, setGates] = useState(true);
  const [reconverge, setReconverge] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agents = plan.agentsChanged + (reconverge ? plan.drift.filter((d) => !plan.agents.some((a) => a.peerId === d.peerId)).length : 0);
  const sizes = waveSizes(agents, Number(canary), Number(wave));
  const body: RolloutRequest = {
    canarySize: Number(canary),
    waveSize: Number(wave),
    pauseSeconds: Number(pause),
    gateTimeoutSeconds: Number(timeout),
    healthGates: gates,
    reconverge,
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS.length - 1) {
      setStep(step + 1);
      return;
    }
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      onStarted(await start(body));
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors(fields);
      if (Object.keys(fields).length) {
        setStep(1);
        setError("Please correct the marked fields.");
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const num = (label: string, field: keyof RolloutRequest, value: string, set: (v: string) => void, hint?: string) => (
    <Field label={label} error={errors[field]} hint={hint}>
      {(p) => <input {...p} name={field} inputMode="numeric" value={value} onChange={(e) => set(e.target.value)} />}
    </Field>
  );

  return (
    <form onSubmit={submit} noValidate className="wizard">
      <ol className="steps" aria-label="Rollout steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? "step" : undefined} className={i === step ? "current" : i < step ? "done" : ""}>
            {i + 1}. {s}
          </li>
        ))}
      </ol>
      {step === 0 && (
        <div>
          <p>
            Roll out revision <strong>{plan.targetRevision}</strong> of this mesh: {plan.agentsChanged} agent
            {plan.agentsChanged === 1 ? "" : "s"} change
            {plan.drift.length ? `, ${plan.drift.length} drifted` : ""}.
          </p>
          <ul>
            {plan.agents.slice(0, 10).map((a) => (
              <li key={a.peerId}>
                {a.name}: +{a.peersAdded.length} −{a.peersRemoved.length} ~{a.peersChanged.length} peers, +{a.routesAdded.length} −
                {a.routesRemoved.length} routes
              </li>
            ))}
            {plan.agents.length > 10 && <li>… and {plan.agents.length - 10} more</li>}
          </ul>
        </div>
      )}
      {step === 1 && (
        <div>
          {num("Canary size (agents in the first wave)", "canarySize", canary, setCanary)}
          {num("Wave size (agents in each later wave)", "waveSize", wave, setWave)}
          {num("Pause between waves (s)", "pauseSeconds", pause, setPause)}
          {num("Gate timeout (s)", "gateTimeoutSeconds", timeout, setTimeoutS, "a wave not acknowledged and healthy by then pauses the rollout")}
          <div className="field checkbox">
            <label>
              <input type="checkbox" name="healthGates" checked={gates} onChange={(e) => setGates(e.target.checked)} /> Health gates:
              a wave passes only when its new links report a live session and answered probes
            </label>
          </div>
          <div className="field checkbox">
            <label>
              <input type="checkbox" name="reconverge" checked={reconverge} onChange={(e) => setReconverge(e.target.checked)} />{" "}
              Reconverge drifted agents (re-send their configuration)
            </label>
          </div>
        </div>
      )}
      {step >= 1 && (
        <p data-testid="wave-preview">
          {sizes.length === 0
            ? "No agent to update."
            : `${sizes.length} wave${sizes.length === 1 ? "" : "s"}: ${sizes.map((n, i) => (i === 0 ? `canary of ${n}` : `${n}`)).join(", ")}.`}
        </p>
      )}
      {step === 2 && (
        <p>
          Each wave waits for every agent&apos;s acknowledgement{gates ? " and healthy links" : ""} (at most {timeout} s)
          {Number(pause) > 0 ? `, then ${pause} s` : ""} before the next. A failing wave pauses the rollout; you can then
          resume, abort or roll back.
        </p>
      )}
      <div className="notice error" role="alert" hidden={!error}>
        {error}
      </div>
      <div className="actions">
        <button type="button" onClick={step === 0 ? onCancel : () => setStep(step - 1)}>
          {step === 0 ? "Cancel" : "Back"}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {step < STEPS.length - 1 ? "Next" : busy ? "Starting…" : "Start rollout"}
        </button>
      </div>
    </form>
  );
}
