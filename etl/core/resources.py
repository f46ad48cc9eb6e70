"""Files shipped inside the package: SQL, rule tables, the report template.

Read through ``importlib.resources``, so an installed wheel finds them as a checkout does; no
code finds them from ``__file__`` or the working directory.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def package_file(*parts: str) -> Traversable:
    """``etl/<parts...>`` in the installed package."""
    return files("etl").joinpath(*parts)


def sql_file(*parts: str) -> str:
    """The text of ``etl/sql/<parts...>``."""
    return package_file("sql", *parts).read_text(encoding="utf-8")


def rules_file(name: str) -> Traversable:
    """A rule table in ``etl/rules/``."""
    return package_file("rules", name)


def template(name: str) -> str:
    """The text of a template in ``etl/templates/``."""
    return package_file("templates", name).read_text(encoding="utf-8")
