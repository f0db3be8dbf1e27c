"""Date and time formats for English pages and mails.

Django's American defaults mixed "Nov. 30, 2026" with "11/30/2026 9:58 p.m."; the portal
serves an audience in Kazakhstan and Russia, so English pages write the day first and use
the 24-hour clock like the Kazakh and Russian ones ("30 November 2026, 09:58").
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d M Y"
SHORT_DATETIME_FORMAT = "d M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
