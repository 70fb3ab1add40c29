"""The execution runner behind ``fairmend run`` and :func:`fairmend.run`."""

from fairmend.runner.core import run_technique, target_for
from fairmend.runner.gates import GatePolicy, GateVerdict, evaluate_gate
from fairmend.runner.result import RunConfig, RunResult

__all__ = ["GatePolicy", "GateVerdict", "RunConfig", "RunResult", "evaluate_gate", "run_technique", "target_for"]
