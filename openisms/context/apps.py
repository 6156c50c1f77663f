from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "openisms.context"
    label = "context"
    verbose_name = "OpenISMS context of the organisation"

    def ready(self) -> None:
        # Registers the dashboard tiles, the demo builder and what a leaving member still holds.
        import openisms.context.demo
        import openisms.context.receivers
        import openisms.context.tiles  # noqa: F401
