"""The plugin module named by the ``fairmend`` entry point: it registers one technique."""

from fairmend.catalog import (
    Citation,
    Contract,
    Criterion,
    RuntimeClass,
    Stage,
    TaskType,
    Technique,
    hookimpl,
)

TECHNIQUE = Technique(
    key="example_group_recalibration_in_the_large",
    name="Per-group recalibration-in-the-large (example plugin)",
    stage=Stage.POST_PROCESSING,
    summary="Shifts each group's log-odds so its mean predicted probability matches its observed rate.",
    description=(
        "Fits one intercept offset per group on held-out data so that the average predicted "
        "probability of every group equals that group's observed positive rate. It repairs "
        "calibration-in-the-large without retraining and keeps the order of scores within a group.\n\n"
        "Use it when a deployed model's scores are systematically too high or too low for one group "
        "and the scores are read as probabilities.\n\n"
        "Do not use it to fix slope miscalibration (use group-specific Platt scaling) or to equalise "
        "error rates; it needs the protected attribute at prediction time."
    ),
    criteria=(Criterion.CALIBRATION_WITHIN_GROUPS, Criterion.CALIBRATION),
    needs_retraining=False,
    needs_protected_attribute_at_inference=True,
    model_agnostic=True,
    supports_multiple_groups=True,
    task_types=(TaskType.BINARY_CLASSIFICATION,),
    runtime_class=RuntimeClass.FAST,
    citation=Citation(
        authors=("Steyerberg, E. W.",),
        year=2009,
        title="Clinical Prediction Models: A Practical Approach to Development, Validation, and Updating",
        venue="Springer",
        doi="10.1007/978-0-387-77244-8",
    ),
    contract=Contract.POSTPROCESSOR,
    implementation="fairmend_example.recalibration:GroupRecalibrationInTheLarge",
    use_cases=("Deployed credit model over-predicts default for one group; scores shown as probabilities.",),
)


@hookimpl
def fairmend_register_techniques(register):  # type: ignore[no-untyped-def]
    register(TECHNIQUE)
