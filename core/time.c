/*
** time.c: parse and format UTC dates (see liq_time.h).  The calendar
** arithmetic is Howard Hinnant's days_from_civil / civil_from_days.
*/
#include "liq_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  int64_t era;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned days[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return days[m - 1] + (m == 2 && leap);
}

/* Exactly n decimal digits at *s into *v, advancing *s; 0 if not digits. */
static int take_digits(const char **s, int n, unsigned *v) {
  unsigned x = 0;
  int i;
  for (i = 0; i < n; i++) {
    char c = (*s)[i];
    if (c < '0' || c > '9') return 0;
    x = x * 10 + (unsigned)(c - '0');
  }
  *s += n;
  *v = x;
  return 1;
}

int liq_time_parse_date(const char *text, int64_t *ms /* OUT */) {
  const char *s = text;
  unsigned y, mo, d, h = 0, mi = 0, sec = 0;
  if (text == NULL || ms == NULL) return -1;
  if (!take_digits(&s, 4, &y) || *s++ != '-' || !take_digits(&s, 2, &mo) ||
      *s++ != '-' || !take_digits(&s, 2, &d))
    return -1;
  if (*s == ' ' || *s == 'T') {
    s++;
    if (!take_digits(&s, 2, &h) || *s++ != ':' || !take_digits(&s, 2, &mi))
      return -1;
    if (*s == ':') {
      s++;
      if (!take_digits(&s, 2, &sec)) return -1;
    }
  }
  if (*s != '\0' || mo < 1 || mo > 12) return -1;
  if (d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    return -1;
  *ms = (((days_from_civil((int64_t)y, mo, d) * 24 + h) * 60 + mi) * 60 + sec) *
        1000LL;
  return 0;
}

int liq_time_parse(const char *text, int64_t *ms /* OUT */) {
  const char *q;
  long long v;
  char *end;
  if (text == NULL || ms == NULL || *text == '\0') return -1;
  if (strchr(text, '-') != NULL) return liq_time_parse_date(text, ms);
  for (q = text; *q; q++)                   /* Unix milliseconds */
    if (*q < '0' || *q > '9') return -1;
  errno = 0;
  v = strtoll(text, &end, 10);
  if (errno == ERANGE || *end != '\0') return -1;
  *ms = (int64_t)v;
  return 0;
}

/* The civil date, time of day and millisecond of 'ms', floored. */
typedef struct civil_time {
  int64_t  year;
  unsigned month, day;
  int64_t  hour, minute, second, milli;
} civil_time;

static civil_time civil_of(int64_t ms) {
  civil_time c;
  /* floor division without negating (-INT64_MIN overflows) */
  int64_t sec = ms / 1000 - (ms % 1000 < 0), rem = ms % 1000;
  int64_t days = sec / 86400 - (sec % 86400 < 0), tod = sec % 86400;
  if (rem < 0) rem += 1000;
  if (tod < 0) tod += 86400;
  civil_from_days(days, &c.year, &c.month, &c.day);
  c.hour = tod / 3600;
  c.minute = tod / 60 % 60;
  c.second = tod % 60;
  c.milli = rem;
  return c;
}

void liq_time_format(int64_t ms, char *buf, size_t size) {
  civil_time c = civil_of(ms);
  snprintf(buf, size, "%lld-%02u-%02u %02lld:%02lld:%02lld", (long long)c.year,
           c.month, c.day, (long long)c.hour, (long long)c.minute,
           (long long)c.second);
}

void liq_time_format_utc(int64_t ms, char *buf, size_t size) {
  civil_time c = civil_of(ms);
  if (c.milli) {
    snprintf(buf, size, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%03lld UTC",
             (long long)c.year, c.month, c.day, (long long)c.hour,
             (long long)c.minute, (long long)c.second, (long long)c.milli);
  } else {
    snprintf(buf, size, "%04lld-%02u-%02u %02lld:%02lld:%02lld UTC",
             (long long)c.year, c.month, c.day, (long long)c.hour,
             (long long)c.minute, (long long)c.second);
  }
}

int liq_time_looks_like_seconds(int64_t ms) {
  return ms > -LIQ_TIME_MIN_MS && ms < LIQ_TIME_MIN_MS;
}

void liq_time_seconds_hint(int64_t ms, char *buf, size_t size) {
  char date[64];
  liq_time_format_utc(ms * 1000, date, sizeof date);
  /* "2023-11-14 22:13:20 UTC" -> the date without " UTC" */
  if (strlen(date) > 4 && strcmp(date + strlen(date) - 4, " UTC") == 0)
    date[strlen(date) - 4] = '\0';
  snprintf(buf, size, "%lld looks like Unix seconds (milliseconds below 1e11 "
           "are before 1973-03-03): write %lld (milliseconds) or the date "
           "\"%s\" (UTC)", (long long)ms, (long long)ms * 1000, date);
}
