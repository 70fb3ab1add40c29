"""Real datasets bundled with fairmend (UCI Adult and Statlog German Credit, both CC BY 4.0).

>>> from fairmend.datasets import load_adult
>>> data = load_adult()
>>> data.n_rows, data.label, data.protected
(45222, 'income', ('sex', 'race'))

Text columns are always ``object`` dtype holding Python ``str`` (see :class:`Dataset`). The compressed
copies in ``data/`` were produced by :mod:`fairmend.datasets.build` from the md5-checked UCI files; see
``data/NOTICE`` for attribution.
"""

from fairmend.datasets._dataset import Dataset, stratified_sample
from fairmend.datasets._loaders import load_adult, load_german, to_object_strings
from fairmend.datasets._registry import list_datasets, load_dataset

__all__ = [
    "Dataset",
    "list_datasets",
    "load_adult",
    "load_dataset",
    "load_german",
    "stratified_sample",
    "to_object_strings",
]
