from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "openisms.assets"
    label = "assets"
    verbose_name = "OpenISMS asset inventory"

    def ready(self) -> None:
        # Demo data, dashboard tiles, and the defaults every new organisation gets.
        import openisms.assets.dashboard
        import openisms.assets.demo
        import openisms.assets.receivers  # noqa: F401
