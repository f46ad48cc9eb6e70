"""Files shipped inside the package: SQL, rule tables, the report template.

Read through ``importlib.resources``, so an installed wheel finds them as a checkout does; no
code finds them from ``__file__`` or the working directory.
"""

from __future__ import annotations

import csv
import io
import tomllib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any


def package_file(*parts: str) -> Traversable:
    """``etl/<parts...>`` in the installed package."""
    return files("etl").joinpath(*parts)


def sql_file(*parts: str) -> str:
    """The text of ``etl/sql/<parts...>``."""
    return package_file("sql", *parts).read_text(encoding="utf-8")


def rules_file(name: str) -> Traversable:
    """A rule table in ``etl/rules/``."""
    return package_file("rules", name)


@cache
def rules_toml(name: str) -> dict[str, Any]:
    """A TOML rule table in ``etl/rules/``, parsed once per process (do not modify it)."""
    return tomllib.loads(rules_file(name).read_text(encoding="utf-8"))


@cache
def rules_csv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a CSV rule table in ``etl/rules/`` (``#`` lines are comments), read once."""
    text = rules_file(name).read_text(encoding="utf-8")
    lines = [line for line in io.StringIO(text) if not line.startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))


def template(name: str) -> str:
    """The text of a template in ``etl/templates/``."""
    return package_file("templates", name).read_text(encoding="utf-8")
