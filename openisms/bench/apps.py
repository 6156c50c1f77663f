from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's data generator and runner; no models."""

    name = "openisms.bench"
    label = "bench"
    verbose_name = "Benchmark"
