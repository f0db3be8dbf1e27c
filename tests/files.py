"""In-memory test files: tiny valid PDF, PNG and JPEG, and hostile ones.

Used by the document tests, the application-form tests and the browser test.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def pdf_bytes() -> bytes:
    return MINIMAL_PDF


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (24, 16), color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def png_bytes(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def jpeg_bytes(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def truncated_png_bytes() -> bytes:
    data = png_bytes(size=(64, 64))
    return data[: len(data) // 2]


def exe_bytes() -> bytes:
    """A Windows executable header (MZ ... PE)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + b"\x00" * 48
        + b"PE\x00\x00"
        + b"\x00" * 200
    )


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """An uploaded file as a view or service receives it. The content type is what a browser
    would claim; the server must not trust it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "passport.pdf") -> SimpleUploadedFile:
    return upload(name, pdf_bytes(), "application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return upload(name, png_bytes(), "image/png")


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return upload(name, jpeg_bytes(), "image/jpeg")
