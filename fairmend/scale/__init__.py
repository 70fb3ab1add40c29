"""fairmend beyond one machine: audits, batch application and benchmark sweeps on Dask.

Everything here imports Dask only when it runs (``pip install fairmend[scale]``), so ``fairmend
techniques list`` never pays for it. The same code runs on local threads (the default) and on a
cluster given its scheduler address (``--scheduler tcp://host:8786``); see ``docs/scale.md``.

* :func:`fairmend.scale.audit.audit_partitions`: one grouped count per partition, combined, then the
  audit of :mod:`fairmend.stats` from the combined table (same numbers as the in-memory audit).
* :func:`fairmend.scale.apply.apply_run`: a saved run applied partition by partition.
* :func:`fairmend.scale.benchmark.run_benchmark`: technique x dataset x attribute x seed sweeps.
"""
