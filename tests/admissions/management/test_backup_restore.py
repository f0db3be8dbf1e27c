"""backup and restore: a dump restored into an empty database holds the same data, and the
documents come back byte for byte."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import DocumentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return (
        f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    )


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_an_empty_database_has_the_same_data(empty_database, tmp_path):
    documents = [DocumentFactory(), DocumentFactory(kind="photo")]
    references = sorted(str(d.application.pk) for d in documents)
    backup = tmp_path / "backup"
    out = StringIO()
    call_command("backup", "--output", str(backup), stdout=out)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == "postgresql"
    assert manifest["documents"] == 2

    restored_documents = tmp_path / "restored"
    call_command(
        "restore",
        str(backup),
        "--database-url",
        empty_database,
        "--documents-root",
        str(restored_documents),
        "--yes",
        stdout=out,
    )
    with psycopg.connect(empty_database) as conn:
        rows = conn.execute(
            "SELECT application_id::text, file, sha256 FROM admissions_document ORDER BY id"
        ).fetchall()
        migrations = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert sorted(row[0] for row in rows) == references
    assert migrations > 0
    for _application, name, sha256 in rows:
        content = (restored_documents / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha256


def test_restore_refuses_without_yes_and_a_folder_that_is_no_backup(tmp_path):
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(tmp_path), "--yes")
    backup = tmp_path / "backup"
    call_command("backup", "--output", str(backup), stdout=StringIO())
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup))
