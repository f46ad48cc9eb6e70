"""Errors a user can fix: the CLI reports them in one line, with no traceback."""

from __future__ import annotations


class InputError(ValueError):
    """An input the user named cannot be read at all (missing path, unknown kind)."""


class ObjectStoreError(OSError):
    """The object store of an ``s3://`` data root or input refused a request or could not be
    reached (wrong keys, no such bucket, endpoint down): the user's setup, not a bug."""
