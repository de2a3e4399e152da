"""The WSGI entry point for gunicorn (`web: gunicorn wsgi:app`)."""

from outreach_bot import create_app

app = create_app()
