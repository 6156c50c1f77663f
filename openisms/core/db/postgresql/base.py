"""Django's PostgreSQL backend with two savings on every request.

- Timestamps are parsed by ``datetime.fromisoformat`` (``core.pgtime``).
- The health check of a kept connection (``CONN_HEALTH_CHECKS``) asks the server only when
  the server has sent something since its last answer. Django sends ``SELECT 1`` at the start
  of every request that reuses a connection: a round trip that cost as much as a page's read
  from the cache. A server that restarts, or ends the session, closes the socket or says why
  first, so the socket turns readable: then, and only then, the question is asked as Django
  asks it. A connection lost without a word (a network cut) is found by neither check until
  a query times out.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base

from openisms.core import pgtime


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        pgtime.install(connection, self.timezone)
        return connection

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        if not readable:
            return True  # nothing arrived after the last answer: the session is as it was
        return bool(super().is_usable())
