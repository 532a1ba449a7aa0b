"""The WSGI entry point for gunicorn: `gunicorn -w 2 wsgi:app`."""

from api import create_app

app = create_app()
