from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openisms.core"
    label = "core"
    verbose_name = "OpenISMS core"
