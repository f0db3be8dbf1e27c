"""What an uploaded document may be: the one check every upload path calls.

`document_file_inspect(uploaded_file)` decides from the content (never the name or the
browser's header) and returns an `InspectedFile` with the bytes to store, or raises
`DomainError` with a message for the applicant. The rules:

* **Kinds**: PDF, and images of the JPEG family (every variant Pillow reads as JPEG, such as
  the "MPO" files of phone cameras) or PNG. Anything else is refused.
* **PDF**: the ``%PDF-`` header is looked for where PDF readers look, in the first 1024 bytes,
  after an optional byte-order mark and whitespace (``EF BB BF``, ``\\r\\n``...); other bytes
  in front of it are refused. Bytes after the last ``%%EOF`` are tolerated, as readers do. The
  file must open with pypdf, have at most ``DOCUMENT_MAX_PDF_PAGES`` pages, not be encrypted,
  and carry no active content (``/JavaScript``, ``/JS``, ``/OpenAction``, ``/AA``, ``/Launch``,
  ``/EmbeddedFiles``, ``/RichMedia``, ``/XFA``): such files are refused with a clear message.
  PDFs are stored byte for byte (re-writing would break a digital signature).
* **Images** are limited to what an ID scan needs: the size in pixels is read from the header
  and refused above ``DOCUMENT_MAX_PIXELS`` before anything is decoded, as is an image whose
  decoded pixels would take more than ``DOCUMENT_MAX_DECODED_BYTES`` (16-bit and alpha
  channels count). JPEGs are decoded at a reduced scale (libjpeg's DCT scaling) when that is
  enough for ``DOCUMENT_IMAGE_MAX_SIDE``; the image is turned upright by its EXIF orientation,
  shrunk to at most ``DOCUMENT_IMAGE_MAX_SIDE`` pixels on its long side and re-encoded, so
  nothing of the original file is kept: no EXIF (GPS position, camera serial), no trailing
  data. Decoding is bounded by these caps (at most a few hundred milliseconds for the largest
  accepted image), which is why it runs in the request.
* **Polyglots**: a file that is also a ZIP archive (as a ZIP reader sees it, from the end of
  the file) is refused, whatever it starts with.

Legal source of keeping less: 152-FZ art. 5 part 5 and 94-V art. 7 (data limited to the
purpose: an ID scan needs no location or camera data).
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin

from admissions.errors import DomainError

__all__ = [
    "ACTIVE_PDF_KEYS",
    "EXTENSIONS",
    "InspectedFile",
    "document_file_inspect",
]

logger = logging.getLogger(__name__)

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
PDF_HEADER_WINDOW = 1024
PDF_ALLOWED_PREFIX = b" \t\r\n\f\x00"
UTF8_BOM = b"\xef\xbb\xbf"
ACTIVE_PDF_KEYS = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
# Walking a PDF's objects stops here; real scans and exports have far fewer.
PDF_MAX_OBJECTS = 200_000
# Bytes per pixel as Pillow stores a decoded image, by mode (RGB is padded to 4 bytes);
# modes not listed take 4.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}


@dataclass(frozen=True)
class InspectedFile:
    """The outcome of a successful inspection.

    content_type: "application/pdf", "image/jpeg" or "image/png".
    extension: the matching file extension, without the dot.
    content: the bytes to store (the PDF as uploaded, or the re-encoded image).
    """

    content_type: str
    extension: str
    content: bytes


def _not_supported() -> DomainError:
    return DomainError(
        _(
            "This file is not a PDF, JPEG or PNG document (its content was checked, not its "
            "name). Please upload a PDF, JPEG or PNG file."
        )
    )


def document_file_inspect(uploaded_file) -> InspectedFile:
    """Check an uploaded file (rules in the module docstring) and return what to store.

    `uploaded_file`: a Django UploadedFile (or any object with read/seek). Its size must
    already be within ``DOCUMENT_MAX_BYTES``. Raises DomainError (translated message).
    """
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    if not data:
        raise DomainError(_("The file is empty."))
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise DomainError(
            _(
                "This file also contains an archive (ZIP) and cannot be accepted. Please "
                "upload a plain PDF, JPEG or PNG file."
            )
        )
    head = data[:PDF_HEADER_WINDOW]
    position = head.find(b"%PDF-")
    if position >= 0:
        prefix = head[:position]
        if prefix.startswith(UTF8_BOM):
            prefix = prefix[len(UTF8_BOM) :]
        if prefix.strip(PDF_ALLOWED_PREFIX):
            raise _not_supported()
        _check_pdf(data)
        return InspectedFile("application/pdf", "pdf", data)
    return _reencode_image(data)


# --- PDF --------------------------------------------------------------------------------
def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    damaged = _("This PDF file is incomplete or damaged. Please export it again.")
    if b"%%EOF" not in data:
        raise DomainError(damaged)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise DomainError(
                    _(
                        "This PDF is protected by a password or encrypted. Please save it "
                        "without protection and upload it again."
                    )
                )
            pages = len(reader.pages)
            active = _active_content(reader)
    except DomainError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise DomainError(damaged) from exc
    if pages < 1:
        raise DomainError(damaged)
    limit = settings.DOCUMENT_MAX_PDF_PAGES
    if pages > limit:
        raise DomainError(
            _("This PDF has %(pages)s pages; at most %(limit)s are accepted.")
            % {"pages": pages, "limit": limit}
        )
    if active:
        logger.info("PDF refused for active content: %s", ", ".join(sorted(active)))
        raise DomainError(
            _(
                "This PDF contains scripts, automatic actions or embedded files, which are not "
                "accepted. Please print it to a new PDF (or scan the paper document) and "
                "upload that file."
            )
        )


def _active_content(reader) -> set[str]:
    """The active-content keys found in any dictionary reachable from the trailer."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    steps = 0
    while stack:
        steps += 1
        if steps > PDF_MAX_OBJECTS:
            raise ValueError("too many PDF objects")
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found.update(str(name) for name in item if str(name) in ACTIVE_PDF_KEYS)
            if item.get("/S") in ("/JavaScript", "/Launch"):
                found.add(str(item.get("/S")))
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


# --- Images -----------------------------------------------------------------------------
def _reencode_image(data: bytes) -> InspectedFile:
    damaged = _("This image is damaged or incomplete. Please upload it again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
                content_type = _image_kind(image)
                _check_header_size(image)
                max_side = settings.DOCUMENT_IMAGE_MAX_SIDE
                if content_type == "image/jpeg":
                    # Decode at 1/2, 1/4 or 1/8 scale when the result is still large enough.
                    image.draft(image.mode, (max_side, max_side))
                _check_decoded_size(image)
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((max_side, max_side))
                return _encode(upright, content_type)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large() from exc
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ...) for bad data
        if isinstance(exc, Image.UnidentifiedImageError):
            raise _not_supported() from exc
        raise DomainError(damaged) from exc


def _image_kind(image: Image.Image) -> str:
    # Pillow's JPEG opener returns variants such as MPO (multi-picture files of phone
    # cameras, format "MPO") as subclasses of the JPEG image: one family, one check.
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        return "image/jpeg"
    if isinstance(image, PngImagePlugin.PngImageFile):
        return "image/png"
    raise _not_supported()


def _too_large() -> DomainError:
    return DomainError(
        _(
            "This image is too large in pixels (at most %(megapixels)s megapixels are "
            "accepted). Please scan or photograph the document at a lower resolution."
        )
        % {"megapixels": settings.DOCUMENT_MAX_PIXELS // 1_000_000}
    )


def _check_header_size(image: Image.Image) -> None:
    """Refuse from the header alone, before a single pixel is decoded."""
    width, height = image.size
    if width * height > settings.DOCUMENT_MAX_PIXELS:
        raise _too_large()


def _check_decoded_size(image: Image.Image) -> None:
    """Refuse when the pixels, as Pillow holds them, would exceed the memory cap."""
    width, height = image.size
    per_pixel = _BYTES_PER_PIXEL.get(image.mode, 4)
    if width * height * per_pixel > settings.DOCUMENT_MAX_DECODED_BYTES:
        raise _too_large()


def _encode(image: Image.Image, content_type: str) -> InspectedFile:
    buffer = io.BytesIO()
    if content_type == "image/jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        # No exif/icc arguments: the new file carries no metadata at all.
        image.save(buffer, format="JPEG", quality=90)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        image.save(buffer, format="PNG", optimize=False)
    return InspectedFile(content_type, EXTENSIONS[content_type], buffer.getvalue())
