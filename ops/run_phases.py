"""Wall and CPU seconds of a ``news-archive run``'s phases (docs/benchmarks.md, session 26).

    .venv/bin/python ops/run_phases.py run --input data/samples --data-dir /tmp/s15

The arguments are the command's. Times are taken at the boundaries of the stages, which are
wrapped only once the command has imported them itself (at ``freeze_imported_objects``):
importing them here first would change what is measured (the command sets the thread
counts of polars and OpenBLAS before they load, and collects no garbage while they do).
Run it from a copy of another commit (``PYTHONPATH=<copy>``, from inside the copy) to set
two versions side by side.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_START = (time.perf_counter(), time.process_time())
MARKS: list[tuple[str, float, float]] = []


def mark(name: str) -> None:
    MARKS.append((name, time.perf_counter() - _START[0], time.process_time() - _START[1]))


def timed(owner: Any, name: str, label: str) -> None:
    function: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} start")
        try:
            return function(*args, **kwargs)
        finally:
            mark(f"{label} end")

    setattr(owner, name, wrapper)


def _stages_imported() -> None:
    mark("stages imported")
    unit, pipeline = sys.modules["etl.extract.unit"], sys.modules["etl.pipeline"]
    timed(unit, "extract_chunk", "extract")
    timed(unit._Stager, "stage", "clean and stage")
    timed(pipeline, "store_run", "store")


class _AfterStaging(importlib.abc.MetaPathFinder):
    """Wraps ``freeze_imported_objects`` as ``etl.core.staging`` loads."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "etl.core.staging":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        load = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            freeze: Callable[[], None] = module.__dict__["freeze_imported_objects"]

            def frozen() -> None:
                freeze()
                _stages_imported()

            module.__dict__["freeze_imported_objects"] = frozen

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def main(argv: list[str]) -> int:
    sys.meta_path.insert(0, _AfterStaging())
    from etl import cli

    mark("etl.cli imported")
    code = cli.main(argv)
    mark("end (the warehouse built, the summary printed)")
    for name, wall, cpu in MARKS:
        print(f"{name:48s} wall {wall:6.3f}  cpu {cpu:6.3f}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
