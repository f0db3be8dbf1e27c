"""Date, time and number formats for Kazakh pages and mails.

Django ships no `kk` formats, so Kazakh fell back to the American defaults ("Қар. 28, 2026,
2:37 Т.Ж.", "4.60", "10.0 МБ"). Kazakhstan writes dates day first with the 24-hour clock,
the month name in lower case inside a date ("30 қараша 2026 ж."; the lower-case names come
from the "alt. month" entries of the project's catalogue, which the `E` format reads), a
decimal comma and a narrow no-break space between thousands (ҚР СТ 1.5, as in Russian).

One style per kind of date, the same in every language (see the ru and en modules):
DATE_FORMAT a calendar date, DATETIME_FORMAT a moment (deadlines, events), the SHORT_ ones
for dense tables. Input formats stay Django's (ISO first, as date inputs post).
"""

DATE_FORMAT = "j E Y ж."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y ж., H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "F Y ж."
MONTH_DAY_FORMAT = "j E"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"  # narrow no-break space
NUMBER_GROUPING = 3
