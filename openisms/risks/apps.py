from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "openisms.risks"
    label = "risks"
    verbose_name = "Risk management"

    def ready(self) -> None:
        # Registers the demo builder and preparer, the dashboard tiles and the asset section.
        from openisms.risks import dashboard, demo, sections  # noqa: F401
