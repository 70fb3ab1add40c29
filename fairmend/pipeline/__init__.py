"""The seed-001 intervention workflow: causal analysis, pre-, in- and post-processing with
validation gates, rollback rules, an append-only audit log and resumable checkpoints."""

from fairmend.pipeline.core import PipelineResult, run_pipeline
from fairmend.pipeline.policy import Policy

__all__ = ["PipelineResult", "Policy", "run_pipeline"]
