/*
** funding.c: the funding schedule of a run (see liq_funding.h).
**
** The funding file is Binance's layout: calc_time (ms), funding interval
** in hours, rate per interval; with or without a header (a first row is
** a header when its calc_time and rate are not numbers); ascending.  The
** file is read through the CSV layer (csv_int.h).
*/
#include "liq_funding.h"
#include "funding_int.h"
#include "csv_int.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIQ_FUNDING_SNAP_MS 1000.0   /* an event this close to a bar boundary is at it */

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

/*
** An event within LIQ_FUNDING_SNAP_MS of a bar boundary (a bar's open or
** close) is at that boundary: exchanges stamp a payment a few
** milliseconds after the hour (calc_time hh:00:00.003), which is the
** hour's payment, not one a bar later.  The nearest boundary wins.
*/
static int64_t snap_to_boundary(const liq_path *p, double step_ms, int64_t e) {
  size_t lo = 0, hi = p->n;
  int64_t best = e, cand[4];
  double best_d = LIQ_FUNDING_SNAP_MS + 1.0;
  int k, nc = 0;
  if (p->n == 0) return e;
  while (hi - lo > 1) {           /* last bar opening at or before e + snap */
    size_t mid = lo + (hi - lo) / 2;
    if ((double)p->t_ms[mid] <= (double)e + LIQ_FUNDING_SNAP_MS) lo = mid; else hi = mid;
  }
  cand[nc++] = p->t_ms[lo];
  cand[nc++] = (int64_t)llround((double)p->t_ms[lo] + step_ms);
  if (lo > 0) cand[nc++] = (int64_t)llround((double)p->t_ms[lo - 1] + step_ms);
  if (lo + 1 < p->n) cand[nc++] = p->t_ms[lo + 1];
  for (k = 0; k < nc; k++) {
    double d = fabs((double)cand[k] - (double)e);
    if (d <= LIQ_FUNDING_SNAP_MS && d < best_d) {
      best_d = d;
      best = cand[k];
    }
  }
  return best;
}

/* 1 when no bar closes at bar t's open: the window's first bar, or the
** first bar after a gap in a replay. */
static int opens_unclosed(const liq_path *p, double step_ms, size_t t) {
  return t == 0 || (double)p->t_ms[t - 1] + step_ms < (double)p->t_ms[t];
}

/* The bar that opens at e when no bar closes there (the window's first
** open, or the open after a gap): an event there is that bar's, paid at
** its close (bar_of() has no bar ending at e).  -1 when none. */
static long bar_opening_unclosed(const liq_path *p, double step_ms, int64_t e) {
  size_t lo = 0, hi = p->n;
  while (hi > lo) {               /* first bar opening at or after e */
    size_t mid = lo + (hi - lo) / 2;
    if (p->t_ms[mid] < e) lo = mid + 1; else hi = mid;
  }
  if (lo < p->n && p->t_ms[lo] == e && opens_unclosed(p, step_ms, lo)) return (long)lo;
  return -1;
}

/* floor(a / b) for b > 0 */
static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b < 0);
}

/*
** Events at every multiple of iv.  Bar t holds the events e with t_ms[t] <
** e <= t_ms[t] + step, and e <= t_ms[t + 1] (a later bar opening before e
** holds it instead), and e = t_ms[t] when no bar closes there (the first
** bar, a bar after a gap), as file payments are placed; counted per bar by
** floor division, so the work is O(bars) whatever the interval.
*/
static void schedule_constant(const liq_funding_params *fp, const liq_path *p,
                              double step_ms, double *rates) {
  int64_t iv = (int64_t)llround(fp->interval_seconds * 1000.0);
  size_t t;
  if (iv < 1) iv = 1;                 /* validated >= 1 s; never divide by 0 */
  for (t = 0; t < p->n; t++) {
    /* bar 0, and a bar after a gap (no bar closes at its open), also take
    ** their open */
    int64_t lo = p->t_ms[t] - opens_unclosed(p, step_ms, t), hi;
    double end = (double)p->t_ms[t] + step_ms;
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

static int parse_num(const char *z, double *v) {
  char *end;
  errno = 0;
  *v = strtod(z, &end);
  while (*end == ' ' || *end == '\r' || *end == '\n' || *end == '\t') end++;
  return end != z && *end == '\0' && errno == 0 && isfinite(*v);
}

/* Reading the funding file: its payments, in file order. */
typedef struct funding_reader {
  const char        *path;
  liq_funding_event *ev;
  size_t             n, cap;
  double             prev;     /* the previous payment's calc_time */
} funding_reader;

/* One row of the funding file (see csv_int.h): the header or a payment. */
static int on_funding_row(void *ctx, const liq_csv_row *row, liq_err *err) {
  funding_reader *fr = ctx;
  const char *path = fr->path;
  int line = (int)row->line;
  double t, hours, rate;
  if (row->n != 3)
    return liq_errf(err, LIQ_INPUT, path, line,
                    "expected 3 columns (calc_time, funding_interval_hours, rate)");
  if (!parse_num(row->field[0], &t)) {
    /* A header names its columns: a numeric rate makes the row data. */
    if (fr->n == 0 && line == 1 && !parse_num(row->field[2], &rate)) return LIQ_OK;
    return liq_errf(err, LIQ_INPUT, path, line, "calc_time is not a number");
  }
  if (!parse_num(row->field[1], &hours) || !(hours > 0.0))
    return liq_errf(err, LIQ_INPUT, path, line,
                    "funding interval must be a positive number of hours");
  if (!parse_num(row->field[2], &rate) || fabs(rate) >= 0.1)
    return liq_errf(err, LIQ_INPUT, path, line,
                    "funding rate must be a number in (-0.1, 0.1)");
  /* (int64_t)t is undefined beyond int64_t (1e22 was): keep calc_time to
  ** whole milliseconds that a double holds exactly, |t| < 2^53. */
  if (!(fabs(t) < 9007199254740992.0) || t != floor(t))
    return liq_errf(err, LIQ_INPUT, path, line, "calc_time must be whole Unix "
                    "milliseconds below 2^53 (9007199254740992), got %s",
                    row->field[0]);
  if (t <= fr->prev)
    return liq_errf(err, LIQ_INPUT, path, line,
                    "calc_time is not after the previous row's (duplicate or unsorted)");
  fr->prev = t;
  if (fr->n == fr->cap) {
    size_t ncap = fr->cap ? 2 * fr->cap : 256;
    liq_funding_event *q = realloc(fr->ev, ncap * sizeof *q);
    if (q == NULL) return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory reading the funding file");
    fr->ev = q;
    fr->cap = ncap;
  }
  fr->ev[fr->n].t_ms = (int64_t)t;
  fr->ev[fr->n].rate = rate;
  fr->n++;
  return LIQ_OK;
}

int liq_funding_read(const char *path, liq_funding_event **events /* OUT */,
                     size_t *n /* OUT */, liq_err *err) {
  funding_reader fr;
  FILE *f;
  int rc;
  *events = NULL;
  *n = 0;
  if ((f = fopen(path, "rb")) == NULL)
    return liq_errf(err, LIQ_IO, path, 0, "cannot open funding file: %s", strerror(errno));
  memset(&fr, 0, sizeof fr);
  fr.path = path;
  fr.prev = -HUGE_VAL;
  rc = liq_csv_read(f, path, "funding file", 0, on_funding_row, &fr, err);
  fclose(f);
  if (rc == LIQ_OK && fr.n == 0) rc = liq_errf(err, LIQ_INPUT, path, 1, "empty funding file");
  if (rc != LIQ_OK) {
    free(fr.ev);
    return rc;
  }
  *events = fr.ev;
  *n = fr.n;
  return LIQ_OK;
}

/* Each payment goes into the bar that holds it (none: outside the path). */
static void schedule_events(const liq_funding_event *ev, size_t n,
                            const liq_path *p, double step_ms, double *rates) {
  size_t i;
  for (i = 0; i < n; i++) {
    int64_t e = snap_to_boundary(p, step_ms, ev[i].t_ms);
    long k = bar_of(p, step_ms, e);
    if (k < 0) k = bar_opening_unclosed(p, step_ms, e);
    if (k >= 0) rates[k] += ev[i].rate;
  }
}

/* The file's payments: those read when the scenario loaded, or read now. */
static int schedule_file(const liq_funding_params *fp, const liq_path *p,
                         double step_ms, double *rates, liq_err *err) {
  liq_funding_event *ev = NULL;
  size_t n = 0;
  int rc;
  if (fp->events != NULL) {
    schedule_events(fp->events, fp->n_events, p, step_ms, rates);
    return LIQ_OK;
  }
  if ((rc = liq_funding_read(fp->file, &ev, &n, err)) != LIQ_OK) return rc;
  schedule_events(ev, n, p, step_ms, rates);
  free(ev);
  return LIQ_OK;
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
  else rc = schedule_file(fp, path, step_ms, r, err);
  if (rc != LIQ_OK) {
    free(r);
    return rc;
  }
  *rates = r;
  return LIQ_OK;
}
