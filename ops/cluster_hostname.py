"""The host name an Airflow worker of the local cluster records on its task instances.

Both workers of ``make cluster`` run on one machine; each gets a name of its own
(``NEWS_ARCHIVE_WORKER_NAME``, set by ops/cluster.sh) so that a task instance shows which
worker ran it, as the host name does on a real cluster. Set as ``[core] hostname_callable``.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    name = os.environ.get("NEWS_ARCHIVE_WORKER_NAME")
    return f"{name}.{socket.gethostname()}" if name else socket.getfqdn()
