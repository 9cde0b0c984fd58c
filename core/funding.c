/*
** funding.c: the funding schedule of a run (see liq_funding.h).
**
** The funding file is Binance's layout: calc_time (ms), funding interval
** in hours, rate per interval; with or without a header; ascending.
*/
#include "liq_funding.h"

#include <errno.h>
#include <math.h>
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

static void schedule_constant(const liq_funding_params *fp, const liq_path *p,
                              double step_ms, double *rates) {
  int64_t iv = (int64_t)llround(fp->interval_seconds * 1000.0);
  int64_t e;
  if (iv < 1) iv = 1;                 /* validated >= 1 s; never divide by 0 */
  /* The first multiple of iv after t_ms[0] (floor division: times may be
  ** negative). */
  e = p->t_ms[0] / iv;
  if (e * iv > p->t_ms[0]) e--;
  e = (e + 1) * iv;
  int64_t end = p->t_ms[p->n - 1] + (int64_t)step_ms;
  for (; e <= end; e += iv) {
    long t = bar_of(p, step_ms, e);
    if (t >= 0) rates[t] += fp->rate;
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

static int schedule_file(const char *path, const liq_path *p, double step_ms,
                         double *rates, liq_err *err) {
  FILE *f = fopen(path, "r");
  char line[512];
  int lineno = 0, rows = 0, rc = LIQ_OK;
  double prev = -HUGE_VAL;
  if (f == NULL)
    return liq_errf(err, LIQ_IO, path, 0, "cannot open funding file: %s", strerror(errno));
  while (fgets(line, sizeof line, f)) {
    char *fld[3];
    double t, hours, rate;
    int n;
    lineno++;
    if (strspn(line, " \t\r\n") == strlen(line)) continue;
    n = split3(line, fld);
    if (n != 3) {
      rc = liq_errf(err, LIQ_INPUT, path, lineno,
                    "expected 3 columns (calc_time, funding_interval_hours, rate)");
      goto out;
    }
    if (!parse_num(fld[0], &t)) {
      if (rows == 0 && lineno == 1) continue;  /* header */
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

int liq_funding_schedule(const liq_scenario *sc, const liq_path *path,
                         double **rates /* OUT */, liq_err *err) {
  const liq_funding_params *fp = &sc->funding;
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
