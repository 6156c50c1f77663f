from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openisms.core"
    label = "core"
    verbose_name = "OpenISMS core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from openisms.core import (
            lookups,  # noqa: F401 - registers ``__in_ids``
            pgtime,
        )

        connection_created.connect(pgtime.install, dispatch_uid="openisms.core.pgtime")
