"""Model files: the one place fairmend reads and writes ``.skops`` models (never pickle).

Loading a model file must never run code from it. skops rebuilds objects from a JSON schema and
can be told which types to trust; a crafted file can name any importable callable (``builtins.exec``,
``numpy.testing._private.utils.runstring``) and have skops call it. So :func:`load_model` trusts only

* the types skops itself trusts by default (scikit-learn estimators, numpy ufuncs, primitives),
* :func:`allowed_types`: an explicit list of concrete *classes* (never functions, never module
  prefixes) from scikit-learn, numpy, scipy and fairmend's built-in techniques, and
* the names the user passes with ``--trust TYPE``.

Anything else in the file is refused before a single object is built, with an error listing the
refused names.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import pkgutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fairmend.errors import DataFileError, UntrustedModelError

# Concrete classes a fitted scikit-learn model holds besides estimators. Each name is checked to
# be a class when the list is built; a name that is missing in the installed version is skipped.
_INTERNAL_TYPES = (
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.ma.core.MaskedArray",
    "numpy.bool_",
    "numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64",
    "numpy.uint8", "numpy.uint16", "numpy.uint32", "numpy.uint64",
    "numpy.float16", "numpy.float32", "numpy.float64", "numpy.longdouble",
    "numpy.complex64", "numpy.complex128",
    "numpy.str_", "numpy.bytes_", "numpy.object_", "numpy.datetime64", "numpy.timedelta64",
    "numpy.random.mtrand.RandomState",
    "numpy.random._generator.Generator",
    "numpy.random._pcg64.PCG64",
    "numpy.random._mt19937.MT19937",
    "numpy.random.bit_generator.SeedSequence",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix", "scipy.sparse._coo.coo_matrix",
    "scipy.sparse._csr.csr_array", "scipy.sparse._csc.csc_array", "scipy.sparse._coo.coo_array",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._gb.VerboseReporter",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.utils._bunch.Bunch",
    "sklearn.preprocessing._target_encoder._TargetEncoder",
    "sklearn._loss.link.IdentityLink", "sklearn._loss.link.LogLink", "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit", "sklearn._loss.link.HalfLogitLink",
    "sklearn._loss.loss.HalfSquaredError", "sklearn._loss.loss.AbsoluteError",
    "sklearn._loss.loss.PinballLoss", "sklearn._loss.loss.HuberLoss",
    "sklearn._loss.loss.HalfPoissonLoss", "sklearn._loss.loss.HalfGammaLoss",
    "sklearn._loss.loss.HalfTweedieLoss", "sklearn._loss.loss.HalfTweedieLossIdentity",
    "sklearn._loss.loss.HalfBinomialLoss", "sklearn._loss.loss.ExponentialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss._loss.CyHalfSquaredError", "sklearn._loss._loss.CyAbsoluteError",
    "sklearn._loss._loss.CyPinballLoss", "sklearn._loss._loss.CyHuberLoss",
    "sklearn._loss._loss.CyHalfPoissonLoss", "sklearn._loss._loss.CyHalfGammaLoss",
    "sklearn._loss._loss.CyHalfTweedieLoss", "sklearn._loss._loss.CyHalfTweedieLossIdentity",
    "sklearn._loss._loss.CyHalfBinomialLoss", "sklearn._loss._loss.CyExponentialLoss",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
)


def _resolve_class(name: str) -> type | None:
    module, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None
    return obj if inspect.isclass(obj) else None


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__name__}"


@functools.lru_cache(maxsize=1)
def allowed_types() -> frozenset[str]:
    """The concrete classes a model file may contain without ``--trust`` (built once, on demand).

    scikit-learn estimators (``sklearn.utils.all_estimators``), the internal classes above, and every
    class defined in a module of fairmend's built-in techniques. Only names that resolve to a class
    are kept, so no function can ever be allowed through this list.
    """
    from sklearn.utils import all_estimators

    names = {_qualname(cls) for _, cls in all_estimators()}
    names.update(n for n in _INTERNAL_TYPES if _resolve_class(n) is not None)
    from fairmend.catalog import techniques

    for info in pkgutil.walk_packages(techniques.__path__, techniques.__name__ + "."):
        module = importlib.import_module(info.name)
        names.update(
            _qualname(cls) for _, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == module.__name__
        )
    return frozenset(names)


def load_model(path: str | Path, *, trust: Iterable[str] = ()) -> Any:
    """Load a ``.skops`` model file, refusing every type that is not on the allow-list.

    Parameters
    ----------
    path : str or Path
    trust : iterable of str
        Fully qualified names the user explicitly trusts in addition (``--trust TYPE``).

    Raises
    ------
    DataFileError
        The file is missing or not a readable skops file.
    UntrustedModelError
        The file names types outside the allow-list; the message lists them. Nothing was built.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"model file not found: {path}")
    try:
        present = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise DataFileError(f"cannot read model file {path}: {type(exc).__name__}: {exc}") from exc
    extra = {t.strip() for t in trust if t and t.strip()}
    refused = sorted(t for t in present if t not in extra and t not in allowed_types())
    if refused:
        raise UntrustedModelError(
            f"model file {path} was not loaded: refused untrusted type(s) {', '.join(refused)} "
            "(pass --trust TYPE for each one only if you trust the file's origin)"
        )
    try:
        return sio.load(path, trusted=list(present))
    except Exception as exc:
        raise DataFileError(f"cannot load model file {path}: {type(exc).__name__}: {exc}") from exc


def save_model(model: Any, path: str | Path) -> None:
    """Persist with skops through a temporary file in the same folder, then move it into place."""
    import skops.io as sio

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".skops.tmp")
    os.close(fd)
    try:
        sio.dump(model, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
