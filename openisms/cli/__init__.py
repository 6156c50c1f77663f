"""The ``openisms`` console command: Django management commands with one entry point."""
