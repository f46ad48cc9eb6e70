"""Errors a user can fix: the CLI reports them in one line, with no traceback."""

from __future__ import annotations


class InputError(ValueError):
    """An input the user named cannot be read at all (missing path, unknown kind)."""
