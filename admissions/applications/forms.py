"""Forms of the online application's steps (crispy-forms, Bootstrap 5).

Forms check what the applicant typed and say what is wrong next to the field; the services
in `admissions.applications.services` check the same rules again before saving.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.applications.services import (
    EDUCATION_FIELDS,
    EDUCATION_FIELDS_LATER,
    GRADUATION_YEAR_MIN,
    MAX_CHOICES,
    MAX_EXAMS,
    MOTIVATION_MAX_LENGTH,
    MOTIVATION_MIN_LENGTH,
    graduation_last_expected_year,
    graduation_year_problem,
)
from admissions.enums import EducationDocumentKind, ExamKind
from admissions.models import Application
from admissions.text import NormalisedFormMixin
from config.i18n import interpolate_lazy

__all__ = [
    "ChoiceForm",
    "ChoiceFormSet",
    "ConsentForm",
    "EducationForm",
    "ExamForm",
    "ExamFormSet",
    "MotivationForm",
    "WithdrawForm",
]

EMPTY = [("", "---------")]


class ChoiceForm(NormalisedFormMixin, forms.Form):
    """One ranked program choice: an open offering of the cycle and its language."""

    offering = forms.TypedChoiceField(label=_("Program"), coerce=int, required=False)
    language = forms.TypedChoiceField(
        label=_("Language of instruction"), coerce=int, required=False
    )

    def __init__(self, *args, offerings=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offerings = {offering.pk: offering for offering in offerings}
        self.languages = {language.pk: language for language in languages}
        self.fields["offering"].choices = EMPTY + [
            (offering.pk, str(offering.program)) for offering in offerings
        ]
        self.fields["language"].choices = EMPTY + [
            (language.pk, str(language)) for language in languages
        ]
        self.fields["offering"].error_messages["invalid_choice"] = _(
            "This program cannot be chosen (it is closed or not offered in this cycle)."
        )

    def clean(self):
        data = super().clean()
        offering_id, language_id = data.get("offering"), data.get("language")
        if self.errors:
            return data
        if offering_id and not language_id:
            self.add_error("language", _("Choose the language of instruction."))
        elif language_id and not offering_id:
            self.add_error("offering", _("Choose a program for this language."))
        elif offering_id and language_id:
            offering = self.offerings[offering_id]
            taught = {language.pk for language in offering.program.languages.all()}
            if language_id not in taught:
                self.add_error(
                    "language",
                    _("“%(program)s” is not taught in %(language)s. Choose one of: %(taught)s.")
                    % {
                        "program": offering.program,
                        "language": self.languages[language_id],
                        "taught": ", ".join(
                            str(language) for language in offering.program.languages.all()
                        ),
                    },
                )
            data["offering_obj"] = offering
            data["language_obj"] = self.languages[language_id]
        return data


class BaseChoiceFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[int, int] = {}
        filled = 0
        for index, form in enumerate(self.forms):
            offering_id = form.cleaned_data.get("offering")
            if not offering_id:
                continue
            filled += 1
            if offering_id in seen:
                form.add_error(
                    "offering",
                    _("This program is already your choice no. %(index)s.")
                    % {"index": seen[offering_id] + 1},
                )
            else:
                seen[offering_id] = index
        if any(self.errors):
            raise forms.ValidationError(_("Each program can be chosen only once."))
        if not filled:
            raise forms.ValidationError(_("Choose at least one program."))

    def chosen(self) -> list[tuple]:
        return [
            (form.cleaned_data["offering_obj"], form.cleaned_data["language_obj"])
            for form in self.forms
            if form.cleaned_data.get("offering")
        ]


ChoiceFormSet = forms.formset_factory(
    ChoiceForm,
    formset=BaseChoiceFormSet,
    extra=0,
    min_num=MAX_CHOICES,
    max_num=MAX_CHOICES,
    validate_max=True,
    absolute_max=MAX_CHOICES,
)


class EducationForm(NormalisedFormMixin, forms.ModelForm):
    """Prior education. A pupil finishing school in the cycle's year ticks
    `graduation_expected` and gives the expected year; the document number may then stay
    blank (the certificate is provided later). Bounds of the year:
    `services.graduation_year_problem`."""

    class Meta:
        model = Application
        fields = EDUCATION_FIELDS
        widgets = {"education_document_kind": forms.Select}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in EDUCATION_FIELDS:
            self.fields[name].required = name != "graduation_expected"
        self.fields["education_document_kind"].choices = EMPTY + EducationDocumentKind.choices
        this_year = timezone.localdate().year
        cycle = self.instance.cycle if self.instance.cycle_id else None
        last = max(graduation_last_expected_year(cycle), this_year) if cycle else this_year
        year = self.fields["graduation_year"]
        year.widget.attrs.update({"min": GRADUATION_YEAR_MIN, "max": last})
        year.help_text = _("The year you graduated, or expect to graduate.")
        expected = self.fields["graduation_expected"]
        expected.label = _("I have not graduated yet (I finish school or college this year)")
        expected.help_text = interpolate_lazy(
            _(
                "Give the expected year of graduation (%(last)s at the latest). You can then "
                "submit without the certificate; it is to be provided later, before a "
                "decision on your application."
            ),
            {"last": last},
        )
        self.fields["education_document_number"].help_text = _(
            "If you have not graduated yet, leave it empty."
        )
        self.fields["grade_average"].help_text = _("For example 4.5 on a scale of 5.")
        self.fields["grade_scale_max"].help_text = _("The best grade possible, e.g. 5, 10 or 100.")

    def full_clean(self):
        # The certificate's number is not known before graduation.
        if self.is_bound and self.data.get(self.add_prefix("graduation_expected")) not in (
            None,
            "",
            "false",
            "off",
            "0",
        ):
            for name in EDUCATION_FIELDS_LATER:
                self.fields[name].required = False
        super().full_clean()

    def clean(self):
        data = super().clean()
        average, scale = data.get("grade_average"), data.get("grade_scale_max")
        if average is not None and scale is not None and average > scale:
            self.add_error(
                "grade_average", _("The grade average cannot exceed the maximum of the scale.")
            )
        year = data.get("graduation_year")
        if year is not None and self.instance.cycle_id:
            problem = graduation_year_problem(
                year=year,
                expected=bool(data.get("graduation_expected")),
                cycle=self.instance.cycle,
            )
            if problem:
                self.add_error("graduation_year", problem)
        return data


# Exam results older than this are not a current result (and older dates are typing errors).
EXAM_MAX_AGE_YEARS = 30


def exam_date_min():
    """The earliest date an exam may have been taken: 1 January, `EXAM_MAX_AGE_YEARS` ago."""
    today = timezone.localdate()
    return today.replace(year=today.year - EXAM_MAX_AGE_YEARS, month=1, day=1)


class ExamForm(NormalisedFormMixin, forms.Form):
    exam = forms.ChoiceField(label=_("Exam"), choices=EMPTY + ExamKind.choices, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=120, required=False)
    score = forms.DecimalField(
        label=_("Score"), min_value=Decimal("0"), max_digits=6, decimal_places=2, required=False
    )
    max_score = forms.DecimalField(
        label=_("Maximum score"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    taken_on = forms.DateField(
        label=_("Date taken"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].widget.attrs.update(
            {"min": exam_date_min().isoformat(), "max": timezone.localdate().isoformat()}
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = [data.get(name) for name in ("exam", "subject", "score", "max_score")]
        if not any(v not in (None, "") for v in values) and not data.get("taken_on"):
            data["empty"] = True
            return data
        for name in ("exam", "subject", "score", "max_score"):
            if data.get(name) in (None, ""):
                self.add_error(name, _("This field is required."))
        score, maximum = data.get("score"), data.get("max_score")
        if score is not None and maximum is not None and score > maximum:
            self.add_error(
                "score",
                _("The score %(score)s is above the maximum %(max)s.")
                % {"score": score, "max": maximum},
            )
        taken_on = data.get("taken_on")
        if taken_on and taken_on > timezone.localdate():
            self.add_error("taken_on", _("The date cannot be in the future."))
        elif taken_on and taken_on < exam_date_min():
            self.add_error(
                "taken_on",
                _("Please check the date: results older than %(years)s years are not accepted.")
                % {"years": EXAM_MAX_AGE_YEARS},
            )
        return data


class BaseExamFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.filled():
            raise forms.ValidationError(_("Enter at least one exam result."))

    def filled(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("empty")
        ]


ExamFormSet = forms.formset_factory(
    ExamForm,
    formset=BaseExamFormSet,
    extra=0,
    max_num=MAX_EXAMS,
    validate_max=True,
    absolute_max=MAX_EXAMS,
)


class MotivationForm(NormalisedFormMixin, forms.Form):
    scholarship_requested = forms.BooleanField(
        label=_("I apply for a scholarship"),
        required=False,
        help_text=_(
            "Scholarships are granted by the governments of Kazakhstan and Russia by rank."
        ),
    )
    motivation = forms.CharField(
        label=_("Motivation statement"),
        min_length=MOTIVATION_MIN_LENGTH,
        max_length=MOTIVATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=interpolate_lazy(
            _(
                "Why do you want to study with us? Between %(min)s and %(max)s characters, "
                "plain text."
            ),
            {"min": MOTIVATION_MIN_LENGTH, "max": MOTIVATION_MAX_LENGTH},
        ),
    )

    def clean_motivation(self):
        text = self.cleaned_data["motivation"].strip()
        if len(text) < MOTIVATION_MIN_LENGTH:
            raise forms.ValidationError(
                _("Write at least %(min)s characters (you wrote %(count)s).")
                % {"min": MOTIVATION_MIN_LENGTH, "count": len(text)}
            )
        return text


class ConsentForm(NormalisedFormMixin, forms.Form):
    consent = forms.BooleanField(
        label=_("I have read the text above and consent to the processing of my personal data."),
        error_messages={"required": _("Your consent is needed to submit the application.")},
    )


class WithdrawForm(NormalisedFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
