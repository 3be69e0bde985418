"""WSGI entry point, for gunicorn: `gunicorn collis.config.wsgi`.

It defaults to the production settings, which refuse to start without a secret key and
allowed hosts: a server started without DJANGO_SETTINGS_MODULE never runs with DEBUG on.
`collis manage runserver` sets the local settings before it loads this module."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collis.config.settings.production")
application = get_wsgi_application()
