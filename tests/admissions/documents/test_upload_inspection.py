"""Uploads: what applicants' devices produce is accepted, what can hurt is refused.

Each test feeds `document_file_inspect` (the one check of every upload path) or the upload
service/page with the inputs of the reported symptoms.
"""

from __future__ import annotations

import functools
import io
import struct
import threading
import time
import zipfile
import zlib

import psutil
import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter

from admissions.documents.services import document_upload
from admissions.documents.validation import document_file_inspect
from admissions.errors import DomainError
from admissions.models import Document
from tests import files
from tests.factories import ApplicationFactory

MIB = 1024 * 1024


# --- Files made for these tests ---------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def decompression_bomb_png(side: int = 9400) -> bytes:
    """A real `side` x `side` 16-bit RGBA PNG of zeros (~688 KB for 9,400 px, 707 MB of
    pixel data once inflated), built without compressing 707 MB: one deflate segment of 100
    rows, ended by a full flush (no references across segments), is repeated."""
    rows_per_block = 100
    assert side % rows_per_block == 0
    block = b"\x00" * (1 + side * 8) * rows_per_block  # filter byte + 4 channels x 2 bytes
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)  # zlib header
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(side // rows_per_block):
        checksum = zlib.adler32(block, checksum)
    idat = first + again * (side // rows_per_block - 1) + b"\x03\x00" + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)  # 16-bit, RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def pdf_with(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def jpeg_with_exif(orientation: int = 6, size=(40, 20)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90 degrees clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (54.0, 58.0, 0.0)  # Omsk
    gps[3] = "E"
    gps[4] = (73.0, 22.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def inspect(content: bytes, name: str = "upload.bin"):
    return document_file_inspect(files.upload(name, content))


# --- PDF headers and trailers where readers find them ------------------------------------
@pytest.mark.parametrize(
    "prefix",
    [b"\xef\xbb\xbf", b"\r\n", b"\n\n  \t", b"\xef\xbb\xbf\r\n"],
    ids=["bom", "crlf", "whitespace", "bom-crlf"],
)
def test_pdf_with_a_byte_order_mark_or_whitespace_before_the_header_is_accepted(prefix):
    inspected = inspect(prefix + files.pdf_bytes())
    assert inspected.content_type == "application/pdf"
    assert inspected.content == prefix + files.pdf_bytes()  # stored as uploaded


def test_pdf_with_bytes_after_the_last_end_of_file_marker_is_accepted():
    content = files.pdf_bytes() + b"\r\n\x00\x00 some scanner padding \n"
    assert inspect(content).content_type == "application/pdf"


def test_pdf_header_behind_markup_is_refused():
    with pytest.raises(DomainError, match="PDF, JPEG or PNG"):
        inspect(b"<html><script>alert(1)</script>" + files.pdf_bytes())


def test_pdf_header_beyond_the_first_kilobyte_is_not_a_pdf():
    with pytest.raises(DomainError):
        inspect(b" " * 1100 + files.pdf_bytes())


# --- PDF content ------------------------------------------------------------------------
def test_encrypted_pdf_is_refused_with_a_clear_message():
    content = pdf_with(lambda writer: writer.encrypt("secret", algorithm="RC4-128"))
    with pytest.raises(DomainError, match="password or encrypted"):
        inspect(content)


@pytest.mark.parametrize(
    "build",
    [
        lambda writer: writer._root_object.__setitem__(
            _name("/Names"),
            _dict(
                {
                    "/JavaScript": _dict(
                        {"/Names": _array(["hi", _action("/JavaScript", "/JS", "app.alert(1)")])}
                    )
                }
            ),
        ),
        lambda writer: writer.add_attachment("payload.exe", b"MZ..."),
        lambda writer: writer._root_object.__setitem__(
            _name("/OpenAction"), _action("/URI", "/URI", "https://example.org/track")
        ),
        lambda writer: writer._root_object.__setitem__(
            _name("/AA"), _dict({"/WC": _action("/JavaScript", "/JS", "app.alert(1)")})
        ),
        lambda writer: writer.pages[0].__setitem__(
            _name("/AA"), _dict({"/O": _action("/Launch", "/F", "cmd.exe")})
        ),
    ],
    ids=["javascript", "embedded-file", "open-action", "document-action", "launch"],
)
def test_pdf_with_active_content_is_refused(build):
    with pytest.raises(DomainError, match="scripts, automatic actions or embedded files"):
        inspect(pdf_with(build))


def test_active_content_hidden_in_a_hex_escaped_name_is_found():
    content = files.pdf_bytes().replace(
        b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/J#61vaScript/JS(app.alert(1))>>"
    )
    with pytest.raises(DomainError):
        inspect(content)


@override_settings(DOCUMENT_MAX_PDF_PAGES=2)
def test_pdf_over_the_page_cap_is_refused():
    content = pdf_with(lambda writer: [writer.add_blank_page(200, 200) for _ in range(2)])
    with pytest.raises(DomainError, match="3 pages; at most 2"):
        inspect(content)


@pytest.mark.parametrize(
    "content",
    [files.pdf_bytes() + zip_bytes(), files.jpeg_bytes() + zip_bytes()],
    ids=["pdf-zip", "jpeg-zip"],
)
def test_polyglots_that_are_also_zip_archives_are_refused(content):
    with pytest.raises(DomainError, match="ZIP"):
        inspect(content)


# --- Images -------------------------------------------------------------------------------
def test_phone_jpeg_of_a_jpeg_sub_format_is_accepted_as_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(
        buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (30, 20), "blue")]
    )
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"  # what phones produce
    inspected = inspect(buffer.getvalue(), "IMG_0001.JPG")
    assert inspected.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(inspected.content)).format == "JPEG"


def test_image_is_turned_upright_and_stripped_of_exif_and_gps():
    original = Image.open(io.BytesIO(jpeg_with_exif(orientation=6, size=(40, 20))))
    assert original.getexif().get_ifd(0x8825)  # the test file does carry a GPS position
    inspected = inspect(jpeg_with_exif(orientation=6, size=(40, 20)))
    stored = Image.open(io.BytesIO(inspected.content))
    assert stored.size == (20, 40)  # rotated as the camera meant it
    assert not stored.getexif()
    assert b"Exif" not in inspected.content


def test_trailing_data_after_an_image_is_not_stored():
    inspected = inspect(files.png_bytes() + b"<script>alert(1)</script>")
    assert b"<script>" not in inspected.content


@override_settings(DOCUMENT_IMAGE_MAX_SIDE=100)
def test_large_images_are_stored_shrunk_to_the_longest_side():
    inspected = inspect(files.jpeg_bytes(size=(800, 400)))
    assert Image.open(io.BytesIO(inspected.content)).size == (100, 50)


def test_image_over_the_pixel_cap_is_refused_from_its_header():
    bomb = decompression_bomb_png()
    started = time.monotonic()
    with pytest.raises(DomainError, match="too large in pixels"):
        inspect(bomb)
    assert time.monotonic() - started < 1.0


def _rss() -> int:
    return psutil.Process().memory_info().rss


def test_three_concurrent_decompression_bombs_are_refused_fast_within_a_memory_budget():
    """The reported attack: three 9,400 x 9,400 16-bit RGBA PNGs (~688 KB each) at once.
    Each must be refused from its header within 1 s, and the process must not grow by more
    than 50 MB while they are handled (sampled every 5 ms)."""
    bomb = decompression_bomb_png()
    assert 600_000 < len(bomb) < 800_000
    baseline = peak = _rss()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss())
            time.sleep(0.005)

    outcomes: list[tuple[str, float]] = []

    def upload() -> None:
        started = time.monotonic()
        try:
            with translation.override("en"):  # a new thread starts in the default language
                document_file_inspect(files.upload("bomb.png", bomb, "image/png"))
        except DomainError as error:
            outcomes.append((error.message, time.monotonic() - started))

    sampler = threading.Thread(target=sample)
    sampler.start()
    uploads = [threading.Thread(target=upload) for _ in range(3)]
    for thread in uploads:
        thread.start()
    for thread in uploads:
        thread.join()
    done.set()
    sampler.join()
    assert len(outcomes) == 3
    assert all("too large in pixels" in message for message, _ in outcomes)
    assert max(seconds for _, seconds in outcomes) < 1.0
    assert peak - baseline < 50 * MIB


# --- Through the service and the page ---------------------------------------------------
@pytest.mark.django_db
def test_decompression_bomb_upload_on_the_page_is_refused_and_nothing_is_saved(client):
    application = ApplicationFactory()
    client.force_login(application.applicant)
    with translation.override("en"):
        url = reverse("admissions:documents")
    bomb = files.upload("bomb.png", decompression_bomb_png(), "image/png")
    started = time.monotonic()
    response = client.post(
        url,
        {"kind": "photo", "file": bomb},
        follow=True,
    )
    assert time.monotonic() - started < 2.0
    assert "too large in pixels" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_download_is_named_after_the_detected_type(client):
    application = ApplicationFactory()
    document = document_upload(
        application=application,
        kind="identity",
        uploaded_file=files.upload("passport.html", files.pdf_bytes(), "text/html"),
        actor=application.applicant,
    )
    assert document.original_name == "passport.pdf"
    Document.objects.filter(pk=document.pk).update(original_name="passport.html")  # older rows
    client.force_login(application.applicant)
    with translation.override("en"):
        url = reverse("admissions:document_download", kwargs={"pk": document.pk})
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="passport.pdf"' in response["Content-Disposition"]


@pytest.mark.django_db
@override_settings(DOCUMENT_UPLOADS_PER_HOUR=2)
def test_uploads_per_account_are_rate_limited():
    application = ApplicationFactory()
    other = ApplicationFactory()
    for _ in range(2):
        document_upload(
            application=application,
            kind="other",
            uploaded_file=files.pdf_upload(),
            actor=application.applicant,
        )
    with pytest.raises(DomainError, match="many files in the last hour"):
        document_upload(
            application=application,
            kind="other",
            uploaded_file=files.pdf_upload(),
            actor=application.applicant,
        )
    # Another account is not affected.
    document_upload(
        application=other, kind="other", uploaded_file=files.pdf_upload(), actor=other.applicant
    )
    assert Document.objects.count() == 3
    assert all(storages["private"].exists(d.file.name) for d in Document.objects.all())


def _name(value: str):
    from pypdf.generic import NameObject

    return NameObject(value)


def _dict(entries: dict):
    from pypdf.generic import DictionaryObject

    return DictionaryObject({_name(key): value for key, value in entries.items()})


def _action(kind: str, key: str, value: str):
    from pypdf.generic import TextStringObject

    return _dict({"/S": _name(kind), key: TextStringObject(value)})


def _array(items: list):
    from pypdf.generic import ArrayObject, TextStringObject

    return ArrayObject(TextStringObject(i) if isinstance(i, str) else i for i in items)
