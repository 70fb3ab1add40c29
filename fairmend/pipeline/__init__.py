"""The seed-001 intervention workflow: causal analysis, pre-, in- and post-processing with
validation gates, rollback rules, an append-only audit log and resumable checkpoints."""

from fairmend.pipeline.core import run_pipeline
from fairmend.pipeline.policy import Policy
from fairmend.pipeline.result import PipelineResult

__all__ = ["PipelineResult", "Policy", "run_pipeline"]
