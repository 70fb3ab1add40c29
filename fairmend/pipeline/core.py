"""``fairmend pipeline``: causal analysis → pre → in → post with gates, rollback, audit log and resume."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fairmend import __version__
from fairmend.catalog.contracts import group_labels
from fairmend.catalog.types import Criterion
from fairmend.engine.split import stratified_split
from fairmend.engine.stack import Baseline, Data, Stack, Step, fit_stack, params_text
from fairmend.engine.user_model import UserOutputs, read_user_outputs
from fairmend.errors import InvalidParameterError, OutputExistsError
from fairmend.io import read_table, write_json_atomic, write_parquet_atomic
from fairmend.modelio import load_model
from fairmend.outputs import FolderLock, check_output_path
from fairmend.pipeline import gates
from fairmend.pipeline.auditlog import AuditLog, Checkpoints
from fairmend.pipeline.candidates import adjust, candidates
from fairmend.pipeline.flow import execute
from fairmend.pipeline.measure import Snapshot, snapshot
from fairmend.pipeline.policy import Policy
from fairmend.pipeline.result import SLOT, TARGET_CHECKS, Attempt, PipelineResult
from fairmend.plugins import get_catalog
from fairmend.runner.artifacts import predictions_frame, splits_payload
from fairmend.validation import validate

Progress = Callable[[str], None]
class Pipeline:
    def __init__(self, data: Data, *, catalog: Any, policy: Policy, out: Path, progress: Progress | None = None,
                 baseline: Baseline | None = None):
        self.data, self.catalog, self.policy, self.out = data, catalog, policy, out
        # the user's model (score/decision columns or a fitted model) or the policy's base model
        self.baseline = baseline or Baseline(policy.base_model)
        self.log = AuditLog(out / "audit_log.jsonl")
        self.ckpt = Checkpoints(out / "checkpoints")
        self.progress = progress or (lambda _msg: None)
        self.attempts: list[Attempt] = []
        self._measured: dict[str, tuple[Snapshot, Any]] = {}
        self._trunks: dict[str, Any] = {}  # fitted pre-processor + model, shared by post-processing candidates
        self.n_groups = len(set(group_labels(data.A).tolist()))

    # -- measuring ---------------------------------------------------------------------------
    def measure(self, stack: Stack) -> tuple[Snapshot, Any]:
        """Fit ``stack`` and score it on the selection rows, where every choice is made; a stack
        already measured in this run is not fitted again."""
        import json

        key = json.dumps(stack.describe(), sort_keys=True, default=str)
        if key not in self._measured:
            fitted = fit_stack(stack, self.data, self.catalog, baseline=self.baseline, seed=self.policy.seed,
                               cache=self._trunks)
            _, y_sel, A_sel = self.data.rows("validation")
            pred, score = fitted.on("selection")
            self._measured[key] = (snapshot(y_sel, pred, A_sel.reset_index(drop=True), score), fitted)
        return self._measured[key]

    def measure_test(self, fitted: Any) -> Snapshot:
        """The snapshot of an already chosen stack on the untouched test rows (for the report only)."""
        _, y_te, A_te = self.data.rows("test")
        return snapshot(y_te, fitted.pred, A_te.reset_index(drop=True), fitted.score)

    def try_step(self, stage: str, stack: Stack, step: Step, iteration: int, judge: Callable[..., gates.Verdict]) -> Attempt:
        params = " ".join(f"{k}={v}" for k, v in (step.params or {}).items())
        self.progress(f"{stage}: {step.key} {params}".strip())
        try:
            snap, fitted = self.measure(stack.with_step(SLOT[stage], step))
        except Exception as exc:  # a failing candidate is a gate failure, not a crash
            attempt = Attempt(stage, step.key, step.params, iteration, None, None, f"{type(exc).__name__}: {exc}")
        else:
            attempt = Attempt(stage, step.key, step.params, iteration, snap, judge(snap, fitted))
        self.attempts.append(attempt)
        self.log.write("attempt", **attempt.to_dict())
        return attempt

    def start_params(self, technique: Any) -> dict[str, Any]:
        """The policy's parameters for ``technique``; a ``constraint`` parameter follows the policy's target."""
        params = dict(self.policy.params.get(technique.key, {}))
        for p in technique.parameters:
            if p.name == "constraint" and p.choices and self.policy.target_criterion in p.choices:
                params.setdefault("constraint", self.policy.target_criterion)
        return params

    # -- one stage with rollback ---------------------------------------------------------------
    def search(self, stage: str, stack: Stack, want: set[Criterion], judge: Callable[..., gates.Verdict],
               *, start_stronger: Step | None = None) -> Step | None:
        """Try candidates; on a failed gate apply the rollback rule (adjust parameters or switch)."""
        found, excluded = candidates(
            self.catalog, stage, want=want, n_groups=self.n_groups,
            allow_protected_at_inference=self.policy.allow_protected_at_inference,
            preferred=self.policy.candidates.get(stage), limit=self.policy.candidates_per_stage,
        )
        self.log.write("candidates", stage=stage, candidates=[t.key for t in found], excluded=excluded[:50],
                       rule="executable techniques of the stage meeting the data's and policy's hard constraints")
        queue = [Step(t.key, self.start_params(t)) for t in found]
        if start_stronger is not None:
            queue.insert(0, start_stronger)
        iteration = 0
        before_gap = gates.dp_gap(self.measure(stack)[0])
        best: tuple[float, Step] | None = None  # best candidate that missed only the fairness target
        while queue and iteration < self.policy.max_iterations:
            iteration += 1
            step = queue.pop(0)
            attempt = self.try_step(stage, stack, step, iteration, judge)
            if attempt.verdict is not None and attempt.verdict.passed:
                self.log.write("gate_passed", stage=stage, key=step.key, params=step.params,
                               rule=attempt.verdict.gate, checks=attempt.verdict.to_dict()["checks"])
                return step
            v = attempt.verdict
            if v is not None and attempt.snapshot is not None:
                missed = {c.name for c in v.checks if not c.passed}
                gap = gates.dp_gap(attempt.snapshot)
                if missed <= TARGET_CHECKS and gap < before_gap and (best is None or gap < best[0]):
                    best = (gap, step)
            move, rule = None, "switch technique (no parameter move left or the candidate failed to run)"
            if v is not None:
                technique = self.catalog.get(step.key)
                names = {p.name for p in technique.parameters}
                defaults = {p.name: p.default for p in technique.parameters}
                if v.failed("accuracy_loss", "data_integrity"):
                    move = adjust(step.key, step.params, stronger=False, defaults=defaults)
                    rule = "utility cost or integrity failed: weaken the intervention"
                elif v.failed("fairness_improvement", "target_met", "no_new_intersectional_disparity", "dp_target"):
                    move = adjust(step.key, step.params, stronger=True, defaults=defaults)
                    rule = "fairness insufficient: strengthen the intervention"
                if move is not None and not set(move) <= names:
                    move = None
            if move is not None:
                queue.insert(0, Step(step.key, move))
                rule += f" ({step.key}: {params_text(step.params)} -> {params_text(move)})"
            self.log.write("rollback", stage=stage, key=step.key, iteration=iteration, rule=rule,
                           failed=[] if v is None else [c.detail for c in v.checks if not c.passed],
                           error=attempt.error)
        if best is not None:
            self.log.write("stage_partial", stage=stage, key=best[1].key, params=best[1].params, iterations=iteration,
                           rule=f"no candidate met the fairness target within {self.policy.max_iterations} iterations; "
                                f"keep the one that passed every other check and cut the worst DP gap most "
                                f"({before_gap:.3f} -> {best[0]:.3f}); the final gate decides")
            return best[1]
        self.log.write("stage_rolled_back", stage=stage, iterations=iteration,
                       rule=f"no candidate passed within {self.policy.max_iterations} iterations: keep the previous stage's model")
        return None


def build_data(frame: Any, protected: list[str], outcome: str, policy: Policy, favourable_label: Any = None,
               *, scores: str | None = None, predictions: str | None = None, threshold: float = 0.5,
               ) -> tuple[Data, dict[str, Any], UserOutputs | None]:
    """The split data; the user's model outputs (``scores``/``predictions`` columns) are read and kept out of X."""

    checked = validate(frame, protected=protected, outcome=outcome, binary_outcome=True,
                       favourable_label=favourable_label)
    f = checked.frame.reset_index(drop=True)
    y = np.asarray(checked.y, dtype=int)
    own = read_user_outputs(f, scores=scores, predictions=predictions, favourable=checked.favourable_label,
                            outcome=outcome, threshold=threshold)
    A = f[protected].astype(str)
    X = f.drop(columns=[outcome, *protected, *([] if own is None else own.columns)])
    split = stratified_split(y, group_labels(A), test_size=policy.test_size, seed=policy.seed)
    info = {"n_rows": len(f), "protected": protected, "outcome": outcome, "base_rate": float(y.mean()),
            "favourable_label": checked.favourable_label,
            "n_train": len(split.train), "n_validation": len(split.validation), "n_test": len(split.test),
            "user_model": None if own is None else own.describe()}
    return Data(X, y, A, split), info, own


def run_pipeline(
    data: Any, *, protected: list[str], outcome: str, policy: Policy | None = None,
    output: str | Path = "fairmend-pipeline", resume: bool = False, progress: Progress | None = None,
    catalog: Any = None, favourable_label: Any = None, scores: str | None = None, predictions: str | None = None,
    threshold: float = 0.5, model: str | Path | None = None, trust: tuple[str, ...] | list[str] = (),
) -> PipelineResult:
    """Run the gated intervention workflow and write the audit log, checkpoints and report.

    With ``scores``/``predictions`` (columns of the user's model outputs) or ``model`` (the user's fitted
    ``.skops`` model) the user's model is the baseline: post-processing candidates work on its scores, and
    pre- and in-processing candidates train new models that are compared with it.
    """

    policy = policy or Policy()
    out = Path(output)
    check_output_path(out, [data if isinstance(data, (str, Path)) else None, model])
    if model is not None and (scores is not None or predictions is not None):

        raise InvalidParameterError("give your model as --model or as --scores/--predictions columns, not both")
    with FolderLock(out):
        if out.exists() and any(out.iterdir()) and not resume:

            raise OutputExistsError(f"{out} is not empty; pass --resume to continue a run or choose another --output")
        frame = read_table(data)
        d, info, own = build_data(frame, protected, outcome, policy, favourable_label, scores=scores,
                                  predictions=predictions, threshold=threshold)
        info["source"] = str(data) if isinstance(data, (str, Path)) else "DataFrame"
        baseline = Baseline(policy.base_model, outputs=own)
        if model is not None:

            baseline = Baseline(load_model(model, trust=trust), prefit=True)
            info["user_model"] = {"model": str(model)}
        out.mkdir(parents=True, exist_ok=True)
        pipe = Pipeline(d, catalog=catalog or get_catalog(), policy=policy, out=out, progress=progress,
                        baseline=baseline)
        user = None if info["user_model"] is None else {**info["user_model"], "threshold": threshold}
        pipe.ckpt.bind(fingerprint(frame, protected, outcome, policy, info["favourable_label"], user), resume=resume)
        result = execute(pipe, frame, protected, outcome, info, resume=resume)
        write_proof_files(result, d, out)
    return result


def fingerprint(frame: Any, protected: list[str], outcome: str, policy: Policy,
                favourable_label: Any = None, user_model: dict[str, Any] | None = None) -> dict[str, str]:
    """What a checkpoint depends on, each part hashed: data, columns, policy, fairmend version."""
    import hashlib
    import json

    import pandas as pd


    def digest(payload: bytes) -> str:
        return hashlib.sha256(payload).hexdigest()[:16]

    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return {
        "data": digest(rows + json.dumps([str(c) for c in frame.columns]).encode()),
        "columns": digest(json.dumps({"protected": protected, "outcome": outcome, "favourable": str(favourable_label),
                                      **({"user_model": user_model} if user_model else {})},
                                     sort_keys=True, default=str).encode()),
        "policy": digest(json.dumps(policy.to_dict(), sort_keys=True, default=str).encode()),
        "version": __version__,
    }


def write_proof_files(result: PipelineResult, data: Data, out: Path) -> None:
    """``splits.json`` and ``predictions.parquet`` (test rows: baseline vs the chosen stack)."""

    write_json_atomic(out / "splits.json", splits_payload(data.split))
    base, final = result.fitted["baseline"], result.fitted["final"]
    frame = predictions_frame({
        "split": data.split, "A_test": result.fitted["A_test"], "y_test": result.fitted["y_test"],
        "pred_before": base.pred, "pred_after": final.pred, "score_before": base.score, "score_after": final.score,
    })
    write_parquet_atomic(out / "predictions.parquet", frame)
