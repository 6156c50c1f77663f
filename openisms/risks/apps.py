from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "openisms.risks"
    label = "risks"
    verbose_name = "Risk management"

    def ready(self) -> None:
        # Registers the demo builder and preparer, and the dashboard tiles.
        from openisms.risks import dashboard, demo  # noqa: F401
