/*
** liq_time.h: dates and times of inputs and messages, all UTC.
**
** Times are Unix milliseconds (int64_t).  Dates are written
** "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS", with a 'T'
** allowed in place of the space (ISO 8601), on the proleptic Gregorian
** calendar.  Formatting is pure arithmetic: it never fails, for any
** int64_t, and does not depend on the C library's time functions.
*/
#ifndef LIQ_TIME_H
#define LIQ_TIME_H

#include <stddef.h>
#include <stdint.h>

/* A date (see above) to Unix ms.  0 ok, -1 malformed or not a real day
** or time of day (2021-02-29, 24:00). */
int liq_time_parse_date(const char *text, int64_t *ms /* OUT */);

/* A date, or Unix milliseconds written as digits alone.  0 ok, -1
** malformed (or a number beyond int64_t). */
int liq_time_parse(const char *text, int64_t *ms /* OUT */);

/* "2021-05-19 13:10:00": the second that holds 'ms' (rounded down).
** Years print as many digits as they need, with a '-' before 1 BC
** (year 0 is 1 BC): "-1-01-01 00:00:00". */
void liq_time_format(int64_t ms, char *buf, size_t size);

/* "2021-05-19 13:10:00 UTC", or "2021-05-19 13:10:00.250 UTC" when 'ms'
** is not a whole second; the year has at least four digits ("0999"). */
void liq_time_format_utc(int64_t ms, char *buf, size_t size);

/*
** A window bound given as a number below 1e11 in absolute value (1973-03-03
** in ms) is almost certainly Unix seconds: 1 when |ms| < LIQ_TIME_MIN_MS.
** liq_time_seconds_hint() writes the fix into buf: "1700000000 looks like
** Unix seconds: write 1700000000000 (milliseconds) or the date
** \"2023-11-14 22:13:20\"".
*/
#define LIQ_TIME_MIN_MS 100000000000LL
int liq_time_looks_like_seconds(int64_t ms);
void liq_time_seconds_hint(int64_t ms, char *buf, size_t size);

#endif /* LIQ_TIME_H */
