"""Group fairness and performance metrics for binary classification.

Groups are the observed intersections of all protected attributes; every gap is max - min over
groups and every ratio is min / max (see :mod:`fairmend.metrics._counts` for each definition).
Per-group confusion counts come from one ``np.bincount`` over integer (group, label, prediction)
codes, which is what lets :mod:`fairmend.stats` resample thousands of times cheaply.
"""

from fairmend.metrics._api import (
    FAIRNESS_METRICS,
    PERFORMANCE_METRICS,
    available_metrics,
    gap_details,
    group_table,
    higher_is_better,
    reliability_diagram,
    summarize,
)
from fairmend.metrics._counts import confusion_counts, evaluate_counts, group_rates
from fairmend.metrics._encode import GroupCodes, encode_groups

__all__ = [
    "FAIRNESS_METRICS",
    "PERFORMANCE_METRICS",
    "GroupCodes",
    "available_metrics",
    "confusion_counts",
    "encode_groups",
    "evaluate_counts",
    "gap_details",
    "group_rates",
    "group_table",
    "higher_is_better",
    "reliability_diagram",
    "summarize",
]
