"""Keep personal data out of logs and error mails (152-FZ art. 19, 94-V art. 22: the operator
protects personal data from unneeded disclosure; log files and mailboxes are such places).

* `PersonalDataFilter` (on every log handler) rewrites each record's message with e-mail
  addresses, phone numbers, IINs, SNILS and long digit runs masked.
* `PersonalDataAdminEmailHandler` (the ADMINS error mails) sends the masked log line and a
  traceback without request bodies, cookies, headers or local variables
  (`PersonalDataExceptionReporterFilter`), and masks the result once more.
"""

from __future__ import annotations

import logging
import re

from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

__all__ = [
    "PersonalDataAdminEmailHandler",
    "PersonalDataExceptionReporterFilter",
    "PersonalDataFilter",
    "mask_personal_data",
]

MASK = "[hidden]"
_PATTERNS = (
    # e-mail addresses (also internationalised local parts and domains)
    re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    # phone numbers: + and 10-15 digits, with the usual separators
    re.compile(r"\+\d[\d\s().-]{8,18}\d"),
    # SNILS written in groups (123-456-789 01)
    re.compile(r"\b\d{3}[-\s]\d{3}[-\s]\d{3}[-\s]\d{2}\b"),
    # IIN (12 digits), SNILS (11 digits) and other document numbers: 9 digits or more
    re.compile(r"\b\d{9,}\b"),
)
# Request metadata that names no person and helps reading an error report.
_SAFE_META = ("REQUEST_METHOD", "PATH_INFO", "SERVER_NAME", "SERVER_PORT", "CONTENT_TYPE")


def mask_personal_data(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and national identifiers masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in the message of every record passing the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = mask_personal_data(message)
        record.args = ()
        return True


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports with no request body, no cookies, no headers and no local variables:
    each of those may carry an applicant's data. The traceback and the path remain."""

    def get_post_parameters(self, request):
        return {}

    def get_safe_cookies(self, request):
        return {}

    def get_safe_request_meta(self, request):
        return {key: request.META[key] for key in _SAFE_META if key in request.META}

    def get_traceback_frame_variables(self, request, tb_frame):
        return []


class PersonalDataAdminEmailHandler(AdminEmailHandler):
    """Django's error mail to ADMINS, as plain text, with personal data masked."""

    def __init__(self, include_html=False, email_backend=None, reporter_class=None):
        super().__init__(include_html=False, email_backend=email_backend)

    def send_mail(self, subject, message, *args, **kwargs):
        kwargs.pop("html_message", None)
        super().send_mail(
            mask_personal_data(subject), mask_personal_data(message), *args, **kwargs
        )
