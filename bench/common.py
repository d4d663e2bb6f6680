"""Start-up shared by the bench scripts: the project on the path, and a bench database by default
so the demo database (var/ebranch.sqlite3) is never touched. The app never imports bench/."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEMO_DATABASE = VAR / "ebranch.sqlite3"


def sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR / name}"


def setup(database_url: str | None = None) -> None:
    """Configure and start Django on `database_url` (or $DATABASE_URL, or var/bench.sqlite3)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_DEBUG", "1")  # the embedded development keys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebranch.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", sqlite_url("bench.sqlite3"))
    if os.environ["DATABASE_URL"].rstrip("/").endswith(str(DEMO_DATABASE)):
        sys.exit("bench: refusing to use the demo database; set DATABASE_URL to a bench database.")
    VAR.mkdir(exist_ok=True)

    import django

    django.setup()
