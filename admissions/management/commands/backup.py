"""`python manage.py backup [--output DIR]`: the database and the applicants' documents.

Writes into DIR (default `var/backups/<UTC time>/`):

* `database.dump`: `pg_dump --format=custom` of the configured PostgreSQL database
  (`database.sqlite3`, a consistent copy, on SQLite);
* `documents.tar.gz`: the private documents folder (PRIVATE_MEDIA_ROOT), when documents are
  stored on disk. Documents in S3-compatible storage are backed up by the bucket's own
  versioning or replication (docs/production.md), not here;
* `manifest.json`: when, from which database, and what the archive holds.

`restore` reads such a folder back. pg_dump must be of the server's major version or newer.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 (pg_dump/pg_restore, arguments built here, no shell)
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def postgres_environment(database: dict) -> dict[str, str]:
    """libpq environment (PGHOST...) for the database settings `database`."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def tool(name: str) -> str:
    """The full path of a PostgreSQL client program (Debian package postgresql-client)."""
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian package postgresql-client).")
    return path


def documents_root() -> Path | None:
    """The folder of the private documents, or None when they are not on disk."""
    storage = storages["private"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the private documents (tar) into one folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="folder to create (default var/backups/<time>)")

    def handle(self, *args, output=None, **options):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(output) if output else Path(settings.BASE_DIR) / "var" / "backups" / stamp
        target.mkdir(parents=True, exist_ok=False)
        manifest = {"created_at": stamp, "database": connection.vendor, "documents": None}
        database = connection.settings_dict
        if connection.vendor == "postgresql":
            dump = target / "database.dump"
            result = subprocess.run(  # noqa: S603  # nosec B603 (arguments built here, no shell)
                [tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--file={dump}"],
                env=postgres_environment(database),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            manifest["database_file"] = dump.name
        elif connection.vendor == "sqlite":
            copy = target / "database.sqlite3"
            with sqlite3.connect(database["NAME"]) as source, sqlite3.connect(copy) as dest:
                source.backup(dest)
            manifest["database_file"] = copy.name
        else:
            raise CommandError(f"No backup for a {connection.vendor} database.")
        self.stdout.write(f"database -> {target / manifest['database_file']}")

        root = documents_root()
        if root is None:
            self.stdout.write("documents are in object storage: back up the bucket instead")
        elif root.is_dir():
            archive = target / "documents.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(root, arcname="documents")
            with tarfile.open(archive) as tar:
                manifest["documents"] = sum(1 for member in tar if member.isfile())
            self.stdout.write(f"{manifest['documents']} document files -> {archive}")
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
