"""Built-in plugin: the pre-processing techniques of ``registry.yaml``."""

from fairmend.catalog import Stage, hookimpl
from fairmend.plugins.builtin import register_stage


@hookimpl
def fairmend_register_techniques(register):  # type: ignore[no-untyped-def]
    register_stage(Stage.PRE_PROCESSING, register)
