#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebranch.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Is the virtual environment (.venv) active? "
            "bin/demo and bin/test create it."
        ) from exc
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 (loads the settings, which check the environment)
    except ImproperlyConfigured as error:
        sys.exit(f"ebranch: {error} For development, set DJANGO_DEBUG=1 (see .env.example).")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
