from modeltranslation.translator import TranslationOptions, register

from .models import AdmissionCycle, Exam, Field, Language, Program, ScholarshipFund


@register(Language)
class LanguageTranslation(TranslationOptions):
    fields = ("name",)


@register(Field)
class FieldTranslation(TranslationOptions):
    fields = ("name",)


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("title", "description", "partner_university")


@register(AdmissionCycle)
class AdmissionCycleTranslation(TranslationOptions):
    fields = ("name",)


@register(ScholarshipFund)
class ScholarshipFundTranslation(TranslationOptions):
    fields = ("name",)


@register(Exam)
class ExamTranslation(TranslationOptions):
    fields = ("name",)
