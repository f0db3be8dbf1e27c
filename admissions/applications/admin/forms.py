"""Forms of the intermediate admin pages: decision, document rejection, review."""

from __future__ import annotations

from django import forms
from django.contrib.admin import helpers
from django.utils.translation import gettext_lazy as _

from admissions.enums import DocumentKind
from admissions.text import NormalisedFormMixin

# --- The list's menu of actions ---------------------------------------------------------


class KeptSelect(forms.Select):
    """Django's select, its markup kept per process for the same name, value, attributes
    and options: the list's menu of actions is the same on every page a role reads in one
    language, and Django writes it through a template per option."""

    _kept: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            name,
            str(value),
            repr(sorted({**self.attrs, **(attrs or {})}.items())),
            repr([(str(option), str(label)) for option, label in self.choices]),
        )
        html = self._kept.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._kept) > 256:  # menus of retired actions or languages
                self._kept.clear()
            self._kept[key] = html
        return html


class ApplicationActionForm(helpers.ActionForm):
    """Django's form of the list's actions, its menu written once per set of actions and
    language (`KeptSelect`)."""

    action = forms.ChoiceField(
        label=helpers.ActionForm.base_fields["action"].label, widget=KeptSelect
    )


# --- Forms of the intermediate pages ------------------------------------------------------


class DecisionForm(NormalisedFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        required=False,
    )

    # Asked only when requesting documents (`ask_kinds`): which kinds the applicant may then
    # upload again, verified ones included.
    kinds = forms.MultipleChoiceField(
        label=_("Documents to upload again"),
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these can be uploaded or replaced; everything else stays locked."),
    )
    override_reason = forms.CharField(
        label=_("Reason for deciding despite the failed checks (kept in the audit trail)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        help_text=_(
            "Leave empty to decide only the applications that pass every check. With a "
            "reason, the others are decided too, and the reason is recorded."
        ),
    )

    def __init__(
        self,
        *args,
        note_required: bool = False,
        may_override: bool = False,
        ask_kinds: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required
        if not may_override:
            del self.fields["override_reason"]
        if not ask_kinds:
            del self.fields["kinds"]
        else:
            self.order_fields(["kinds", "note"])


class RejectDocumentForm(NormalisedFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection (the applicant reads it)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class ReviewForm(NormalisedFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            # No min/max on the field: the service refuses out-of-range scores with a
            # message naming the criterion and its range.
            name = f"criterion_{criterion.pk}"
            self.fields[name] = forms.IntegerField(
                label=criterion.name,
                widget=forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": criterion.max_score,
                        "inputmode": "numeric",
                        # The keyboard shortcuts (static/js/review-rubric.js) and their hint.
                        "data-rubric-score": "",
                        "aria-describedby": f"id_{name}_helptext rubric-keys",
                    }
                ),
                help_text=self._help(criterion),
            )
        self.order_fields([*(f"criterion_{c.pk}" for c in criteria), "comment"])

    @staticmethod
    def _help(criterion) -> str:
        # Name and description read in the active language (modeltranslation).
        scale = _("0 to %(max)s, weight %(weight)s") % {
            "max": criterion.max_score,
            "weight": criterion.weight,
        }
        return f"{criterion.description} ({scale})" if criterion.description else scale

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}
