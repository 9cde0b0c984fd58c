/*
** backtest_file.c: a margin series the user brings (model 'file'),
** "open_time_ms,long,short" per line, rates as fractions of the entry
** price.  A first line whose first field is not a number is a header.
** Every row is checked: three numeric fields, the bar's open time in Unix
** milliseconds, long in [0, 1), short >= 0, times strictly increasing.  Errors carry the
** FILE:LINE of the row.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_backtest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* Trim spaces and a trailing CR in place. */
static char *trim(char *s) {
  char *e;
  while (*s == ' ' || *s == '\t') s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
    *--e = '\0';
  return s;
}

static int parse_num(const char *s, double *v) {
  char *end;
  if (*s == '\0') return -1;
  errno = 0;
  *v = strtod(s, &end);
  return end == s || *end != '\0' ? -1 : 0;
}

/* Split a line at commas into f[0..2] (trimmed when there are exactly
** three); returns the number of fields. */
static int split3(char *line, char *f[3]) {
  int k = 0;
  char *p = line, *c;
  while (1) {
    c = strchr(p, ',');
    if (k < 3) f[k] = p;
    k++;
    if (c == NULL) break;
    *c = '\0';
    p = c + 1;
  }
  if (k == 3) {
    int i;
    for (i = 0; i < 3; i++) f[i] = trim(f[i]);
  }
  return k;
}

static int row(liq_margin_series *m, char *text, long ln, int *header_ok,
               liq_err *err) {
  char *f[3] = { NULL, NULL, NULL };
  double t, a, b;
  int nf = split3(text, f);
  if (nf != 3)
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "expected 3 columns open_time_ms,long,short, got %d", nf);
  if (parse_num(f[0], &t) != 0) {
    if (*header_ok) {
      *header_ok = 0;
      return 1;                    /* a header */
    }
    return liq_errf(err, LIQ_INPUT, m->file, (int)ln,
                    "open_time_ms is not a number: '%.40s'", f[0]);
  }
  *header_ok = 0;
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
  m->t_ms[m->n] = (int64_t)t;
  m->m_long[m->n] = a;
  m->m_short[m->n] = b;
  m->line[m->n] = ln;
  m->n++;
  return 0;
}

int liq_margin_series_read(const char *path, liq_margin_series **out,
                           liq_err *err) {
  liq_margin_series *m = NULL;
  FILE *f = NULL;
  char *buf = NULL;
  size_t bufcap = 0, cap = 0;
  ssize_t len;
  long ln = 0;
  int header_ok = 1, rc = LIQ_OK;

  *out = NULL;
  m = calloc(1, sizeof *m);
  if (m == NULL) return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory");
  snprintf(m->file, sizeof m->file, "%s", path);
  f = fopen(path, "rb");
  if (f == NULL) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot open margin file: %s", strerror(errno));
    goto done;
  }
  while ((len = getline(&buf, &bufcap, f)) >= 0) {
    char *s;
    ln++;
    if ((size_t)len != strlen(buf)) {
      rc = liq_errf(err, LIQ_INPUT, path, (int)ln, "NUL byte in the line");
      goto done;
    }
    s = trim(buf);
    if (*s == '\0') continue;
    if (m->n == cap && grow(m, &cap) != 0) {
      rc = liq_errf(err, LIQ_NOMEM, path, (int)ln, "out of memory");
      goto done;
    }
    if (row(m, s, ln, &header_ok, err) == LIQ_INPUT) {
      rc = LIQ_INPUT;
      goto done;
    }
  }
  if (ferror(f)) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot read margin file: %s", strerror(errno));
    goto done;
  }
  if (m->n == 0)
    rc = liq_errf(err, LIQ_INPUT, path, (int)(ln ? ln : 1), "no margin rows");
done:
  free(buf);
  if (f) fclose(f);
  if (rc != LIQ_OK) {
    liq_margin_series_free(m);
    return rc;
  }
  *out = m;
  return LIQ_OK;
}
