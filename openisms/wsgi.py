"""WSGI entry point for gunicorn: ``openisms.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openisms.settings")
application = get_wsgi_application()
