/*
** backtest_file.c: a margin series the user brings (model 'file'),
** "open_time_ms,long,short" per line, rates as fractions of the entry
** price, read through the CSV input layer (csv_int.h: quoting, line ends,
** "#" comment lines, blank rows, NUL bytes).  A first line whose first
** field is not a number is a header.  Every row is checked: three numeric
** fields, the bar's open time in Unix milliseconds, long in [0, 1),
** short >= 0, times strictly increasing.  Errors carry the row's FILE:LINE.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_backtest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"


void liq_margin_series_free(liq_margin_series *m) {
  if (m == NULL) return;
  free(m->t_ms);
  free(m->m_long);
  free(m->m_short);
  free(m->line);
  free(m);
}

static int grow(liq_margin_series *m, size_t *cap) {
  size_t nc = *cap ? 2 * *cap : 1024;
  int64_t *t = realloc(m->t_ms, nc * sizeof *t);
  if (t) m->t_ms = t;
  double *a = realloc(m->m_long, nc * sizeof *a);
  if (a) m->m_long = a;
  double *b = realloc(m->m_short, nc * sizeof *b);
  if (b) m->m_short = b;
  long *l = realloc(m->line, nc * sizeof *l);
  if (l) m->line = l;
  if (!t || !a || !b || !l) return -1;
  *cap = nc;
  return 0;
}

static int parse_num(const char *s, double *v) {
  char *end;
  if (*s == '\0') return -1;
  errno = 0;
  *v = strtod(s, &end);
  return end == s || *end != '\0' ? -1 : 0;
}

typedef struct reader {
  liq_margin_series *m;
  size_t cap;
  int header_ok;               /* the first row may be a header */
} reader;

/* One row of the file (liq_csv_read() callback). */
static int on_row(void *ctx, const liq_csv_row *r, liq_err *err) {
  reader *rd = ctx;
  liq_margin_series *m = rd->m;
  const char *const *f = r->field;
  long ln = r->line;
  double t, a, b;
  if (r->n != 3)
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "expected 3 columns open_time_ms,long,short, got %zu", r->n);
  if (parse_num(f[0], &t) != 0) {
    if (rd->header_ok) {
      rd->header_ok = 0;
      return LIQ_OK;               /* a header */
    }
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "open_time_ms is not a number: '%.40s'", f[0]);
  }
  rd->header_ok = 0;
  if (!(isfinite(t) && t >= 0.0 && t < 9.0e15 && t == floor(t)))
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "open_time_ms out of range: '%.40s'", f[0]);
  if (parse_num(f[1], &a) != 0 || !(isfinite(a) && a >= 0.0 && a < 1.0))
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "long margin must be a rate in [0, 1), got '%.40s'", f[1]);
  if (parse_num(f[2], &b) != 0 || !(isfinite(b) && b >= 0.0))
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "short margin must be a rate >= 0, got '%.40s'", f[2]);
  if (m->n > 0 && (int64_t)t <= m->t_ms[m->n - 1])
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "open_time_ms %lld is not after the previous row's (line %ld)",
                    (long long)t, m->line[m->n - 1]);
  if (m->n == rd->cap && grow(m, &rd->cap) != 0)
    return liq_errf(err, LIQ_NOMEM, m->file, (int)ln, "out of memory");
  m->t_ms[m->n] = (int64_t)t;
  m->m_long[m->n] = a;
  m->m_short[m->n] = b;
  m->line[m->n] = ln;
  m->n++;
  return LIQ_OK;
}

int liq_margin_series_read(const char *path, liq_margin_series **out,
                           liq_err *err) {
  reader rd;
  FILE *f;
  int rc;

  *out = NULL;
  memset(&rd, 0, sizeof rd);
  rd.header_ok = 1;
  rd.m = calloc(1, sizeof *rd.m);
  if (rd.m == NULL) return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory");
  snprintf(rd.m->file, sizeof rd.m->file, "%s", path);
  f = fopen(path, "rb");
  if (f == NULL) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot open margin file: %s", strerror(errno));
  } else {
    rc = liq_csv_read(f, path, "margin file", LIQ_CSV_COMMENTS, on_row, &rd, err);
    fclose(f);
  }
  if (rc == LIQ_OK && rd.m->n == 0)
    rc = liq_errf(err, LIQ_INPUT, path, 1, "no margin rows");
  if (rc != LIQ_OK) {
    liq_margin_series_free(rd.m);
    return rc;
  }
  *out = rd.m;
  return LIQ_OK;
}
