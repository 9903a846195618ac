"""dagster-dbt's dbt CLI resource without two start-up costs that Arvo pays for nothing.

Before it launches `dbt build`, `DbtCliResource.cli` runs `dbt --version` in a subprocess (~3 s on
this machine) and builds a dbt adapter in-process (profile, project, base macros: ~2 s more). The
adapter only serves the optional row-count and column-metadata fetchers, which Arvo does not use. The
dbt beside this interpreter is the pinned dbt-core package, so its version is read from the package
metadata. Measured: a medium incremental run, median of three alternating runs each, 50.2 s -> 44.2 s
(docs/benchmarks.md).

Both hooks are private to dagster-dbt, which `requirements.lock` pins to one version;
`tests/test_orchestration.py` fails if a new version stops calling them.
"""

from functools import cached_property
from importlib.metadata import version as package_version
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class ArvoDbtCliResource(DbtCliResource):
    """`DbtCliResource` that knows dbt's version and skips the unused in-process adapter."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        """No adapter: what dagster-dbt does for dbt Fusion, which has none either."""
        return None
