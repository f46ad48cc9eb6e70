"""The object store's keys from an Airflow connection, for deployments that keep secrets there.

Everything else reads the standard ``AWS_*`` variables (``etl.core.settings``). A task whose
environment has no ``AWS_ACCESS_KEY_ID`` takes them from the Airflow connection named by
``NEWS_ARCHIVE_S3_CONN_ID`` (default ``news_archive_s3``), as the Amazon provider's ``aws``
connection holds them: login = access key id, password = secret key, extra
``endpoint_url`` and ``region_name``. Outside Airflow, or without that connection, nothing
changes.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

DEFAULT_CONNECTION = "news_archive_s3"


def object_store_from_airflow() -> bool:
    """Set the ``AWS_*`` variables of this task's process from the Airflow connection, when the
    environment has no keys of its own; True if it did."""
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        return False
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException, AirflowRuntimeError
    except ImportError:
        return False
    conn_id = os.environ.get("NEWS_ARCHIVE_S3_CONN_ID") or DEFAULT_CONNECTION
    try:
        connection = Connection.get(conn_id)
    except (AirflowNotFoundException, AirflowRuntimeError, RuntimeError) as exc:
        # Not in a task (no supervisor to ask), or no such connection: the environment rules.
        log.debug("no Airflow connection %s: %s", conn_id, exc)
        return False
    extra = connection.extra_dejson
    values = {
        "AWS_ACCESS_KEY_ID": connection.login or "",
        "AWS_SECRET_ACCESS_KEY": connection.password or "",
        "AWS_ENDPOINT_URL": extra.get("endpoint_url") or connection.host or "",
        "AWS_REGION": extra.get("region_name") or "",
    }
    os.environ.update({name: value for name, value in values.items() if value})
    log.info("object store keys from the Airflow connection %s", conn_id)
    return True
