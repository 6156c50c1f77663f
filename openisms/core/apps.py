from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openisms.core"
    label = "core"
    verbose_name = "OpenISMS core"

    def ready(self) -> None:
        from openisms.core import lookups  # noqa: F401 - registers ``__in_ids``
