/*
** funding.c: the funding schedule of a run (see liq_funding.h).
**
** The funding file is Binance's layout: calc_time (ms), funding interval
** in hours, rate per interval; with or without a header (a first row is
** a header when its calc_time and rate are not numbers; a UTF-8
** byte-order mark is skipped); ascending.
*/
#include "liq_funding.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index of the bar whose close is at or after time e: t_ms[t] < e <=
** t_ms[t] + step (an event at 08:00 is paid at the close of the bar that
** ends at 08:00), or -1 when no bar holds it. */
static long bar_of(const liq_path *p, double step_ms, int64_t e) {
  size_t lo = 0, hi = p->n;
  if (p->n == 0 || e <= p->t_ms[0]) return -1;
  if ((double)e > (double)p->t_ms[p->n - 1] + step_ms) return -1;
  while (hi - lo > 1) {           /* last bar opening before e */
    size_t mid = lo + (hi - lo) / 2;
    if (p->t_ms[mid] < e) lo = mid; else hi = mid;
  }
  if ((double)e > (double)p->t_ms[lo] + step_ms) return -1;  /* in a gap */
  return (long)lo;
}

/* floor(a / b) for b > 0 */
static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b < 0);
}

/*
** Events at every multiple of iv.  Bar t holds the events e with t_ms[t] <
** e <= t_ms[t] + step, and e <= t_ms[t + 1] (a later bar opening before e
** holds it instead), as bar_of() places file payments; counted per bar by
** floor division, so the work is O(bars) whatever the interval.
*/
static void schedule_constant(const liq_funding_params *fp, const liq_path *p,
                              double step_ms, double *rates) {
  int64_t iv = (int64_t)llround(fp->interval_seconds * 1000.0);
  size_t t;
  if (iv < 1) iv = 1;                 /* validated >= 1 s; never divide by 0 */
  for (t = 0; t < p->n; t++) {
    int64_t lo = p->t_ms[t], hi;
    double end = (double)lo + step_ms;
    /* e <= lo + step for integer e is e <= floor(lo + step) */
    if (end >= 9.2e18) hi = INT64_MAX;
    else hi = (int64_t)floor(end);
    if (t + 1 < p->n && p->t_ms[t + 1] < hi) hi = p->t_ms[t + 1];
    if (hi > lo) {
      int64_t k = floor_div(hi, iv) - floor_div(lo, iv);
      if (k > 0) rates[t] += (double)k * fp->rate;
    }
  }
}

/* Split a CSV line into at most 3 fields in place; returns the count. */
static int split3(char *z, char *f[3]) {
  int n = 0;
  char *s = z;
  while (n < 3) {
    f[n++] = s;
    s = strchr(s, ',');
    if (s == NULL) break;
    *s++ = '\0';
  }
  return s == NULL ? n : 4;
}

static int parse_num(const char *z, double *v) {
  char *end;
  errno = 0;
  *v = strtod(z, &end);
  while (*end == ' ' || *end == '\r' || *end == '\n' || *end == '\t') end++;
  return end != z && *end == '\0' && errno == 0 && isfinite(*v);
}

/* 1 at the end of f (peeks one byte). */
static int at_eof(FILE *f) {
  int c = getc(f);
  if (c == EOF) return 1;
  ungetc(c, f);
  return 0;
}

static int schedule_file(const char *path, const liq_path *p, double step_ms,
                         double *rates, liq_err *err) {
  FILE *f = fopen(path, "r");
  char line[512], *z;
  int lineno = 0, rows = 0, rc = LIQ_OK;
  double prev = -HUGE_VAL;
  if (f == NULL)
    return liq_errf(err, LIQ_IO, path, 0, "cannot open funding file: %s", strerror(errno));
  while (fgets(line, sizeof line, f)) {
    char *fld[3];
    double t, hours, rate;
    int n;
    lineno++;
    z = line;
    if (strchr(line, '\n') == NULL && !at_eof(f)) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno, "line is too long (at most %zu "
                    "bytes; expected calc_time,funding_interval_hours,rate)",
                    sizeof line - 2);
      goto out;
    }
    /* A UTF-8 byte-order mark would make a first payment look like a header. */
    if (lineno == 1 && strncmp(z, "\xEF\xBB\xBF", 3) == 0) z += 3;
    if (strspn(z, " \t\r\n") == strlen(z)) continue;
    n = split3(z, fld);
    if (n != 3) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno,
                    "expected 3 columns (calc_time, funding_interval_hours, rate)");
      goto out;
    }
    if (!parse_num(fld[0], &t)) {
      /* A header names its columns: a numeric rate makes the row data. */
      if (rows == 0 && lineno == 1 && !parse_num(fld[2], &rate)) continue;
      rc = liq_errf(err, LIQ_INPUT, path, lineno, "calc_time is not a number");
      goto out;
    }
    if (!parse_num(fld[1], &hours) || !(hours > 0.0)) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno,
                    "funding interval must be a positive number of hours");
      goto out;
    }
    if (!parse_num(fld[2], &rate) || fabs(rate) >= 0.1) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno,
                    "funding rate must be a number in (-0.1, 0.1)");
      goto out;
    }
    if (t <= prev) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno,
                    "calc_time is not after the previous row's (duplicate or unsorted)");
      goto out;
    }
    prev = t;
    rows++;
    {
      long k = bar_of(p, step_ms, (int64_t)t);
      if (k >= 0) rates[k] += rate;
    }
  }
  if (ferror(f)) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot read funding file");
    goto out;
  }
  if (rows == 0) rc = liq_errf(err, LIQ_INPUT, path, 1, "empty funding file");
out:
  fclose(f);
  return rc;
}

int liq_funding_schedule(const liq_funding_params *fp, const liq_path *path,
                         double **rates /* OUT */, liq_err *err) {
  double step_ms = path->step_seconds * 1000.0, *r;
  int rc = LIQ_OK;
  *rates = NULL;
  if (fp->mode == LIQ_FUNDING_NONE || path->n == 0) return LIQ_OK;
  r = calloc(path->n, sizeof *r);
  if (r == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (fp->mode == LIQ_FUNDING_CONSTANT) schedule_constant(fp, path, step_ms, r);
  else rc = schedule_file(fp->file, path, step_ms, r, err);
  if (rc != LIQ_OK) {
    free(r);
    return rc;
  }
  *rates = r;
  return LIQ_OK;
}
