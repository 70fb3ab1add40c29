"""Technique parameters, declared once: on the implementation class's ``__init__``.

The signature gives each parameter's name and default; its annotation gives the type, and a
:class:`Param` inside ``typing.Annotated`` gives the help text and the range or choices::

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param("Fairness constraint", choices=("demographic_parity", "equalized_odds"))]
            = "demographic_parity",
        eps: Annotated[float, Param("Allowed constraint violation", range=(0.0, 1.0), tunable=True)] = 0.01,
    ) -> None:

``fairmend techniques show``, ``--param`` validation, tuning and the generated docs all read
:func:`parameters_of`; registry entries hold metadata, prose and citations only. Arguments that are not
technique parameters (``estimator``, the base learner of a model-agnostic technique) carry no
:class:`Param` and are left out.

``tunable=True`` marks a parameter as the technique's fairness-accuracy trade-off knob (a constraint bound,
a tolerance, a fairness weight, a repair strength): moving it trades accuracy for the fairness the technique
targets. ``fairmend tune`` searches exactly these by default. Seeds, iteration counts, learning rates,
resolutions and plain regularisation are not tunable in this sense.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

MODEL_SLOTS = ("estimator",)  # base learners of model-agnostic techniques: arguments, not parameters
_TYPES = {int: "int", float: "float", bool: "bool", str: "str"}


@dataclass(frozen=True)
class Param:
    """Annotation metadata of one technique parameter: help text, a numeric range or a set of choices, and
    whether it is a fairness-accuracy trade-off knob (``tunable``)."""

    help: str = ""
    range: tuple[float, float] | None = None
    choices: tuple[Any, ...] | None = None
    tunable: bool = False

    def __post_init__(self) -> None:
        if self.range is not None:
            lo, hi = self.range
            object.__setattr__(self, "range", (float(lo), float(hi)))
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))


@dataclass(frozen=True)
class Parameter:
    """A tunable parameter of a technique, as ``fairmend run --param NAME=VALUE`` accepts it."""

    name: str
    type: str  # one of: int, float, str, bool, choice
    default: Any = None
    range: tuple[float, float] | None = None
    choices: tuple[Any, ...] | None = None
    help: str = ""
    tunable: bool = False  # a fairness-accuracy trade-off knob, searched by fairmend tune

    def coerce(self, raw: Any) -> Any:
        """Convert a command-line string to this parameter's type and check its range or choices."""
        from fairmend.errors import InvalidParameterError

        try:
            if self.type == "int":
                value: Any = int(raw)
            elif self.type == "float":
                value = float(raw)
            elif self.type == "bool":
                value = (
                    raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
                )
            else:
                value = raw
        except (TypeError, ValueError):
            raise InvalidParameterError(f"parameter {self.name!r} expects {self.type}, got {raw!r}") from None
        if self.range is not None and isinstance(value, (int, float)):
            lo, hi = self.range
            if not lo <= value <= hi:
                raise InvalidParameterError(f"parameter {self.name!r}={value} is outside [{lo}, {hi}]")
        if self.choices is not None and value not in self.choices:
            raise InvalidParameterError(
                f"parameter {self.name!r}={value!r} is not one of {', '.join(map(str, self.choices))}"
            )
        return value


def _base_type(annotation: Any) -> str:
    """``int``/``float``/``bool``/``str`` of an annotation, looking through ``X | None``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else str
    return _TYPES.get(annotation, "str")


@cache
def parameters_of(cls: type) -> tuple[Parameter, ...]:
    """The parameters a technique class declares on its ``__init__`` (see the module docstring)."""
    init = cls.__init__  # type: ignore[misc]
    if init is object.__init__:
        return ()
    hints = typing.get_type_hints(init, include_extras=True)
    found = []
    for name, param in inspect.signature(init).parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name in MODEL_SLOTS:
            continue
        hint = hints.get(name)
        meta = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Param)), None)
        if meta is None:
            from fairmend.errors import CatalogError

            raise CatalogError(
                f"{cls.__module__}.{cls.__qualname__}.__init__ argument {name!r} has no Param "
                "annotation: declare it as Annotated[type, Param(help, range=..., choices=...)]"
            )
        default = None if param.default is inspect.Parameter.empty else param.default
        kind = "choice" if meta.choices is not None else _base_type(typing.get_args(hint)[0])
        if meta.tunable and meta.range is None and meta.choices is None and kind != "bool":
            from fairmend.errors import CatalogError

            raise CatalogError(
                f"{cls.__module__}.{cls.__qualname__}.__init__ argument {name!r} is tunable but "
                "declares no range or choices to search"
            )
        found.append(Parameter(name, kind, default, meta.range, meta.choices, meta.help, meta.tunable))
    return tuple(found)
