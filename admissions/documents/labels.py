"""Words said about a document of each kind, translated per kind.

In Russian an adjective or participle agrees with the noun it describes: "Фотография
обязательна", "Паспорт или удостоверение личности обязателен", "Выписка оценок
проверена". One English word ("required") therefore needs one message per document kind,
told apart by a gettext context (the kind's code), so each translation can agree with its
noun. Kazakh has no grammatical gender and repeats the same word.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from admissions.enums import DocumentKind

__all__ = ["DOCUMENT_KIND_WORDS", "document_kind_word"]

K = DocumentKind

DOCUMENT_KIND_WORDS = {
    K.IDENTITY: {
        "required": pgettext_lazy("document kind: identity", "required"),
        "optional": pgettext_lazy("document kind: identity", "optional"),
        "optional_missing": pgettext_lazy("document kind: identity", "Not uploaded"),
        "verified": pgettext_lazy("document kind: identity", "Verified"),
        "rejected": pgettext_lazy("document kind: identity", "Rejected"),
    },
    K.EDUCATION: {
        "required": pgettext_lazy("document kind: education", "required"),
        "optional": pgettext_lazy("document kind: education", "optional"),
        "optional_missing": pgettext_lazy("document kind: education", "Not uploaded"),
        "verified": pgettext_lazy("document kind: education", "Verified"),
        "rejected": pgettext_lazy("document kind: education", "Rejected"),
    },
    K.PHOTO: {
        "required": pgettext_lazy("document kind: photo", "required"),
        "optional": pgettext_lazy("document kind: photo", "optional"),
        "optional_missing": pgettext_lazy("document kind: photo", "Not uploaded"),
        "verified": pgettext_lazy("document kind: photo", "Verified"),
        "rejected": pgettext_lazy("document kind: photo", "Rejected"),
    },
    K.TRANSCRIPT: {
        "required": pgettext_lazy("document kind: transcript", "required"),
        "optional": pgettext_lazy("document kind: transcript", "optional"),
        "optional_missing": pgettext_lazy("document kind: transcript", "Not uploaded"),
        "verified": pgettext_lazy("document kind: transcript", "Verified"),
        "rejected": pgettext_lazy("document kind: transcript", "Rejected"),
    },
    K.LANGUAGE_CERTIFICATE: {
        "required": pgettext_lazy("document kind: language certificate", "required"),
        "optional": pgettext_lazy("document kind: language certificate", "optional"),
        "optional_missing": pgettext_lazy("document kind: language certificate", "Not uploaded"),
        "verified": pgettext_lazy("document kind: language certificate", "Verified"),
        "rejected": pgettext_lazy("document kind: language certificate", "Rejected"),
    },
    K.OTHER: {
        "required": pgettext_lazy("document kind: other", "required"),
        "optional": pgettext_lazy("document kind: other", "optional"),
        "optional_missing": pgettext_lazy("document kind: other", "Not uploaded"),
        "verified": pgettext_lazy("document kind: other", "Verified"),
        "rejected": pgettext_lazy("document kind: other", "Rejected"),
    },
}


def document_kind_word(kind: str, word: str) -> str:
    """The translated `word` ("required", "optional", "optional_missing", "verified",
    "rejected") said of a document of `kind` (a DocumentKind code), agreeing with it."""
    words = DOCUMENT_KIND_WORDS.get(kind) or DOCUMENT_KIND_WORDS[DocumentKind.OTHER]
    return str(words[word])
