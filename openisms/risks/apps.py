from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "openisms.risks"
    label = "risks"
    verbose_name = "Risk management"

    def ready(self) -> None:
        # Registers the demo builder and preparer, the dashboard tiles, the asset section and
        # what a leaving member still holds.
        from openisms.risks import dashboard, demo, receivers, sections  # noqa: F401
