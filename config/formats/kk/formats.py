"""Date and time formats for Kazakh pages and mails.

Django ships no `kk` formats, so Kazakh fell back to the American defaults ("Қар. 28, 2026,
2:37 Т.Ж.", "11/28/2026"). Kazakhstan writes dates day first and uses the 24-hour clock.
Only output formats are set: input formats stay Django's (ISO first, as date inputs post).
"""

DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
