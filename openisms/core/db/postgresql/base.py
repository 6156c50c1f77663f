"""Django's PostgreSQL backend with three savings on every request.

- Timestamps are parsed by ``datetime.fromisoformat`` (``core.pgtime``).
- The health check of a kept connection (``CONN_HEALTH_CHECKS``) asks the server only when
  the server has sent something since its last answer. Django sends ``SELECT 1`` at the start
  of every request that reuses a connection: a round trip that cost as much as a page's read
  from the cache. A server that restarts, or ends the session, closes the socket or says why
  first, so the socket turns readable: then, and only then, the question is asked as Django
  asks it. A connection lost without a word (a network cut) is found by neither check until
  a query times out.
- ``server_bound_cursor()``: a cursor whose parameters the server binds, so that psycopg
  prepares a statement once it has run five times on the connection (PostgreSQL then skips
  parsing and planning it: 0.25-0.5 ms a query on this machine). Used for the queries whose
  text never changes (``core.prepared``, ``core.bulk.insert_one``); Django's own queries keep
  their client-side binding. Behind a pooler in transaction mode, add
  ``?prepare_threshold=none`` to ``DATABASE_URL`` (None in OPTIONS): no statement is then
  prepared.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper

from openisms.core import pgtime

#: psycopg prepares a statement run this many times on one connection (its default).
PREPARE_AFTER = 5


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        pgtime.install(connection, self.timezone)
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            connection.prepare_threshold = PREPARE_AFTER  # Django turns it off by default
        return connection

    def server_bound_cursor(self) -> CursorWrapper:
        """A cursor like ``cursor()`` whose parameters the server binds (see above)."""
        self.ensure_connection()
        factory = self.connection.cursor_factory
        self.connection.cursor_factory = base.ServerBindingCursor  # type: ignore[attr-defined]
        try:
            return self.cursor()
        finally:
            self.connection.cursor_factory = factory

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        if not readable:
            return True  # nothing arrived after the last answer: the session is as it was
        return bool(super().is_usable())
