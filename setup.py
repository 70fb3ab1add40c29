"""Maps the design card's top-level folders onto one import namespace.

``catalog/`` installs as ``fairmend.catalog``, ``plugins/`` as ``fairmend.plugins`` and
``recommender/`` as ``fairmend.recommender``; nothing installs a generic top-level name.
Everything else lives in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {
    "fairmend": "fairmend",
    "fairmend.catalog": "catalog",
    "fairmend.plugins": "plugins",
    "fairmend.recommender": "recommender",
}

packages = []
for name, folder in ROOTS.items():
    packages.append(name)
    # Namespace packages too, so data folders (fairmend.datasets.data, ...) are packages setuptools knows.
    packages += [f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]

setup(packages=packages, package_dir=ROOTS)
