"""`python manage.py restore DIR [--database-url URL] [--documents-root PATH] --yes`

Reads back a folder written by `backup`: the database dump into the configured database
(or the one given by --database-url, which must exist; an empty one is fine) with
`pg_restore --clean --if-exists`, replacing the tables it holds, and the documents archive
into PRIVATE_MEDIA_ROOT (or --documents-root). Stop the web, worker and beat first.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess  # nosec B404 (pg_dump/pg_restore, arguments built here, no shell)
import tarfile
import tempfile
from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import documents_root, postgres_environment, tool


class Command(BaseCommand):
    help = "Restore a backup folder: the database (pg_restore) and the private documents."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument("--documents-root", help="restore the documents into this folder")
        parser.add_argument(
            "--yes", action="store_true", help="replace what is there without asking"
        )

    def handle(self, *args, folder, database_url=None, **options):
        source = Path(folder)
        manifest_path = source / "manifest.json"
        if not manifest_path.is_file():
            raise CommandError(f"{source} is not a backup folder (no manifest.json).")
        manifest = json.loads(manifest_path.read_text())
        database = (
            environ.Env.db_url_config(database_url) if database_url else connection.settings_dict
        )
        if not options["yes"]:
            raise CommandError(
                f"This replaces the data of database {database['NAME']!r}; add --yes."
            )
        dump = source / manifest["database_file"]
        if manifest["database"] == "postgresql":
            result = subprocess.run(  # noqa: S603  # nosec B603 (arguments built here, no shell)
                [
                    tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    f"--dbname={database['NAME']}",
                    str(dump),
                ],
                env=postgres_environment(database),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            with sqlite3.connect(dump) as backup, sqlite3.connect(database["NAME"]) as target:
                backup.backup(target)
        self.stdout.write(f"database {database['NAME']} restored from {dump}")

        archive = source / "documents.tar.gz"
        target_root = options.get("documents_root") or documents_root()
        if archive.is_file() and target_root is not None:
            self._restore_documents(archive, Path(target_root))
        self.stdout.write(self.style.SUCCESS("Restore complete."))

    def _restore_documents(self, archive: Path, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root.parent) as staging, tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, links out, devices
            unpacked = Path(staging) / "documents"
            for item in unpacked.iterdir():
                destination = root / item.name
                if destination.is_dir():
                    shutil.rmtree(destination)
                elif destination.exists():
                    destination.unlink()
                shutil.move(str(item), destination)
        self.stdout.write(f"documents restored into {root}")
