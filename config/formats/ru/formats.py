"""Date, time and number formats for Russian pages and mails.

Django's own Russian formats write "30 ноября 2026 г. 9:58" (no comma, hour without a
leading zero) and group thousands with a wide no-break space; these keep the same style as
the Kazakh and English modules: a comma before the time, 24-hour "09:58", and a narrow
no-break space between thousands (GOST R 7.0.97 typography).
"""

DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "F Y г."
MONTH_DAY_FORMAT = "j E"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"  # narrow no-break space
NUMBER_GROUPING = 3
