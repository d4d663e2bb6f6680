"""Loaded by pytest before Django: tests run on the embedded development defaults."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
