"""Typed exceptions. The library raises these; the CLI turns each into one line on stderr and exit 2."""

from __future__ import annotations


class FairmendError(Exception):
    """Base class of every error fairmend raises on purpose."""

    exit_code = 2


class CatalogError(FairmendError):
    """The technique catalog is inconsistent (bad registry entry, duplicate key)."""


class DuplicateTechniqueError(CatalogError):
    """Two plugins registered the same technique key."""


class UnknownTechniqueError(FairmendError):
    """No technique has the given key or seed id."""


class NotExecutableError(FairmendError):
    """The technique is catalogued but fairmend cannot run it (or not on this task)."""


class MissingDependencyError(FairmendError):
    """An optional dependency is not installed; the message names the extra to install."""


class InvalidParameterError(FairmendError):
    """A technique parameter has the wrong name, type or range."""


class DataError(FairmendError):
    """Base class of problems with the user's data."""


class DataFileError(DataError):
    """The data file is missing, unreadable, empty or of an unknown format."""


class UntrustedModelError(DataFileError):
    """A model file names types outside fairmend's allow-list; it was not loaded."""


class ColumnNotFoundError(DataError):
    """A named column (protected attribute, outcome, predictions) is not in the data."""


class SingleGroupError(DataError):
    """A protected attribute has only one group, so no disparity can be measured."""


class LabelError(DataError):
    """Labels are missing (NaN) or not binary where binary labels are required."""


class OutputExistsError(FairmendError):
    """An output file exists and ``--overwrite`` was not given."""


class ResumeMismatchError(FairmendError):
    """``--resume`` found checkpoints made for other data, columns, policy or fairmend version."""


class OutputPathError(FairmendError):
    """An output folder cannot be used: below a file, not writable, locked, or holding an input."""


class SmallGroupWarning(UserWarning):
    """A group has fewer rows than fairmend needs for stable estimates (default 30)."""
