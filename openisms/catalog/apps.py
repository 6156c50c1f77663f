from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openisms.catalog"
    label = "catalog"
    verbose_name = "OpenISMS catalogue"

    def ready(self) -> None:
        # Registers the demo preparer that loads the catalogue before the demo organisation.
        from openisms.catalog import demo  # noqa: F401
