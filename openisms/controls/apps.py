from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "openisms.controls"
    label = "controls"
    verbose_name = "OpenISMS controls and Statement of Applicability"

    def ready(self) -> None:
        # Every organisation gets its Annex A controls; demo data and dashboard tiles.
        import openisms.controls.dashboard
        import openisms.controls.demo
        import openisms.controls.receivers  # noqa: F401
