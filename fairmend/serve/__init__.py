"""``fairmend serve``: a REST API over fairmend for teams (FastAPI under uvicorn; the ``serve`` extra).

- :mod:`fairmend.serve.app` — the ``/api/v1`` routes (``create_app``);
- :mod:`fairmend.serve.store` — the SQLAlchemy database (tokens, datasets, runs, audit log; versioned schema);
- :mod:`fairmend.serve.auth` — bearer tokens, stored as salted HMAC-SHA256 digests, and the three roles;
- :mod:`fairmend.serve.jobs` — runs in a bounded pool of worker processes.

Nothing here is imported by ``import fairmend``; see ``docs/serve.md``.
"""
