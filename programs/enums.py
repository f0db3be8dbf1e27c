from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    BACHELOR = "bachelor", _("Bachelor's")
    MASTER = "master", _("Master's")
