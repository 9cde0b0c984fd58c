/*
** csv.c: the CSV input layer on libcsv (see csv_int.h).  The file is fed
** to libcsv one physical line (or one read buffer of a longer line) at a
** time, so that the layer knows the line number of every field.
*/
#include "csv_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

/* A growable byte buffer holding one field's text. */
typedef struct field_buf {
  char  *s;
  size_t len, cap;
} field_buf;

typedef struct csv_reader {
  const char    *path, *what;
  liq_err       *err;
  int            rc;          /* first failure; callbacks do nothing after it */
  long           line;        /* physical line being fed to libcsv */
  long           row_line;    /* line the current row's first field ended on */
  size_t         nfield;      /* fields of the current row */
  size_t         cap;         /* fields allocated */
  field_buf     *fld;
  const char   **text;        /* views handed to the callback */
  size_t        *len;
  liq_csv_row_fn on_row;
  void          *ctx;
} csv_reader;

static int fail(csv_reader *rd, int code, long line, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

static int fail(csv_reader *rd, int code, long line, const char *fmt, ...) {
  va_list ap;
  if (rd->rc != LIQ_OK) return rd->rc;
  va_start(ap, fmt);
  rd->rc = liq_verrf(rd->err, code, rd->path, (int)line, fmt, ap);
  va_end(ap);
  return rd->rc;
}

static int out_of_memory(csv_reader *rd) {
  return fail(rd, LIQ_NOMEM, 0, "out of memory reading the %s", rd->what);
}

static int field_too_long(csv_reader *rd) {
  return fail(rd, LIQ_INPUT, rd->line, "a field is longer than 1 MiB (%zu "
              "bytes), the limit for any field of a %s", LIQ_CSV_MAX_FIELD,
              rd->what);
}

/* Room for field k of the current row. */
static int reserve_fields(csv_reader *rd, size_t k) {
  size_t ncap;
  field_buf *f;
  if (k < rd->cap) return 0;
  ncap = rd->cap ? rd->cap * 2 : 16;
  if (ncap > SIZE_MAX / sizeof *rd->fld) return -1;
  f = realloc(rd->fld, ncap * sizeof *f);
  if (f == NULL) return -1;
  memset(f + rd->cap, 0, (ncap - rd->cap) * sizeof *f);
  rd->fld = f;
  rd->cap = ncap;
  return 0;
}

/* libcsv: one field. */
static void on_field(void *s, size_t len, void *data) {
  csv_reader *rd = data;
  size_t k = rd->nfield++;
  field_buf *f;
  if (rd->rc != LIQ_OK) return;
  if (k == 0) rd->row_line = rd->line;
  if (len > LIQ_CSV_MAX_FIELD) {
    field_too_long(rd);
    return;
  }
  if (reserve_fields(rd, k) != 0) {
    out_of_memory(rd);
    return;
  }
  f = &rd->fld[k];
  if (len + 1 > f->cap) {
    size_t ncap = f->cap ? f->cap : 64;
    char *q;
    while (ncap < len + 1) ncap *= 2;
    q = realloc(f->s, ncap);
    if (q == NULL) {
      out_of_memory(rd);
      return;
    }
    f->s = q;
    f->cap = ncap;
  }
  if (len) memcpy(f->s, s, len);
  f->s[len] = '\0';
  f->len = len;
}

/* libcsv: end of a row. */
static void on_row_end(int term, void *data) {
  csv_reader *rd = data;
  size_t n = rd->nfield, k;
  (void)term;
  rd->nfield = 0;
  if (rd->rc != LIQ_OK) return;
  /* A line of blanks arrives as one empty field: skip it like an empty line. */
  if (n == 0 || (n == 1 && rd->fld[0].len == 0)) return;
  {
    const char **text = realloc(rd->text, n * sizeof *text);
    size_t *len;
    if (text == NULL) {
      out_of_memory(rd);
      return;
    }
    rd->text = text;
    len = realloc(rd->len, n * sizeof *len);
    if (len == NULL) {
      out_of_memory(rd);
      return;
    }
    rd->len = len;
  }
  for (k = 0; k < n; k++) {
    rd->text[k] = rd->fld[k].s;
    rd->len[k] = rd->fld[k].len;
  }
  {
    liq_csv_row row;
    int rc;
    row.n = n;
    row.field = rd->text;
    row.len = rd->len;
    row.line = rd->row_line;
    rc = rd->on_row(rd->ctx, &row, rd->err);
    if (rc != LIQ_OK) rd->rc = rc;
  }
}

/* The length of the physical line at buf[0..n): through its LF, CR or
** CRLF; *ended: 1 when it ends in the buffer; *cr_last: 1 when it ends in
** a CR at the buffer's end (an LF starting the next read belongs to it). */
static size_t line_len(const char *buf, size_t n, int *ended, int *cr_last) {
  size_t i;
  *ended = *cr_last = 0;
  for (i = 0; i < n; i++) {
    if (buf[i] == '\n') break;
    if (buf[i] == '\r') {
      if (i + 1 < n && buf[i + 1] == '\n') i++;
      else if (i + 1 == n) *cr_last = 1;
      break;
    }
  }
  if (i == n) return n;
  *ended = 1;
  return i + 1;
}

static void reader_free(csv_reader *rd) {
  size_t k;
  for (k = 0; k < rd->cap; k++) free(rd->fld[k].s);
  free(rd->fld);
  free(rd->text);
  free(rd->len);
}

/* 1 when the line at buf[0..n) is a comment: its first non-blank byte is
** '#'. */
static int is_comment(const char *buf, size_t n) {
  size_t i = 0;
  while (i < n && (buf[i] == ' ' || buf[i] == '\t')) i++;
  return i < n && buf[i] == '#';
}

int liq_csv_read(FILE *f, const char *path, const char *what, int flags,
                 liq_csv_row_fn on_row, void *ctx, liq_err *err) {
  struct csv_parser cp;
  csv_reader rd;
  char buf[65536];
  size_t got;
  int at_line_start = 1, first = 1, after_cr = 0, in_comment = 0;

  memset(&rd, 0, sizeof rd);
  rd.path = path;
  rd.what = what;
  rd.err = err;
  rd.on_row = on_row;
  rd.ctx = ctx;
  if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    return fail(&rd, LIQ_NOMEM, 0, "out of memory starting the CSV parser");
  csv_set_blk_size(&cp, sizeof buf);     /* grow a long field in large steps */
  while (rd.rc == LIQ_OK && (got = fread(buf, 1, sizeof buf, f)) > 0) {
    size_t pos = 0;
    /* A UTF-8 byte-order mark would hide a numeric first row as a header. */
    if (first && got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    first = 0;
    while (pos < got && rd.rc == LIQ_OK) {
      size_t len;
      int ended, cr_last;
      if (after_cr && buf[pos] == '\n') {
        len = 1;                 /* the LF of a CRLF split across two reads */
        ended = 1;
        cr_last = 0;
      } else {
        len = line_len(buf + pos, got - pos, &ended, &cr_last);
        if (at_line_start) rd.line++;
      }
      after_cr = cr_last;
      /* A comment line starts where no row has begun (not inside quotes). */
      if (at_line_start && (flags & LIQ_CSV_COMMENTS) && rd.nfield == 0 &&
          cp.entry_pos == 0)
        in_comment = is_comment(buf + pos, got - pos);
      if (in_comment) {
        at_line_start = ended;
        if (ended) in_comment = 0;
        pos += len;
        continue;
      }
      if (memchr(buf + pos, '\0', len) != NULL) {
        fail(&rd, LIQ_INPUT, rd.line, "line holds a NUL byte (not a text CSV file?)");
        break;
      }
      if (csv_parse(&cp, buf + pos, len, on_field, on_row_end, &rd) != len) {
        int e = csv_error(&cp);
        if (e == CSV_ENOMEM || e == CSV_ETOOBIG) out_of_memory(&rd);
        else fail(&rd, LIQ_INPUT, rd.line, "malformed CSV: %s", csv_strerror(e));
      }
      /* the field libcsv is still gathering */
      if (rd.rc == LIQ_OK && cp.entry_pos > LIQ_CSV_MAX_FIELD)
        field_too_long(&rd);
      at_line_start = ended;
      pos += len;
    }
  }
  if (rd.rc == LIQ_OK && ferror(f))
    fail(&rd, LIQ_IO, 0, "cannot read %s: %s", what, strerror(errno));
  if (rd.rc == LIQ_OK && csv_fini(&cp, on_field, on_row_end, &rd) != 0)
    fail(&rd, LIQ_INPUT, rd.line, "malformed CSV: %s", csv_strerror(csv_error(&cp)));
  csv_free(&cp);
  reader_free(&rd);
  return rd.rc;
}
