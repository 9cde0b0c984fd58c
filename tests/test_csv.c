/*
** test_csv.c: the CSV input layer (core/csv.c): line ends, byte-order
** marks, blank rows, quoting, NUL bytes, the field-length cap, and the
** FILE:LINE of every error.
*/
#define _POSIX_C_SOURCE 200809L   /* fmemopen */

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"

/* Rows gathered as "line:f1|f2|...;" */
typedef struct seen {
  char text[4096];
  int  stop_at;              /* stop with LIQ_INPUT at this row (1-based); 0 never */
  int  rows;
  int  flags;                /* for liq_csv_read() */
} seen;

static int collect(void *ctx, const liq_csv_row *row, liq_err *err) {
  seen *s = ctx;
  size_t k, n = strlen(s->text);
  s->rows++;
  if (s->stop_at == s->rows)
    return liq_errf(err, LIQ_INPUT, "f.csv", (int)row->line, "stop");
  if (n < sizeof s->text)
    n += (size_t)snprintf(s->text + n, sizeof s->text - n, "%ld:", row->line);
  for (k = 0; k < row->n; k++) {
    assert_int_equal(strlen(row->field[k]), row->len[k]);
    if (n < sizeof s->text)
      n += (size_t)snprintf(s->text + n, sizeof s->text - n, "%s%.64s",
                            k ? "|" : "", row->field[k]);
  }
  if (n >= sizeof s->text) return LIQ_OK;
  snprintf(s->text + n, sizeof s->text - n, ";");
  return LIQ_OK;
}

static int read_bytes(const char *bytes, size_t n, seen *s, liq_err *err) {
  FILE *f = fmemopen((void *)bytes, n, "rb");
  int rc;
  assert_non_null(f);
  rc = liq_csv_read(f, "f.csv", "test file", s->flags, collect, s, err);
  fclose(f);
  return rc;
}

static int read_text(const char *text, seen *s, liq_err *err) {
  return read_bytes(text, strlen(text), s, err);
}

static void test_line_ends_and_blank_rows(void **state) {
  seen s = {{0}, 0, 0, 0};
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(read_text("a,b\n1,2\r\n\r\n  \n3,4\r5,6", &s, &err), &err);
  assert_string_equal(s.text, "1:a|b;2:1|2;5:3|4;6:5|6;");
}

static void test_bom_quotes_and_spaces(void **state) {
  seen s = {{0}, 0, 0, 0};
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(read_text("\xEF\xBB\xBF" "x, \"y,z\" ,\"say \"\"hi\"\"\"\n"
                          "\"two\nlines\",1\n", &s, &err), &err);
  /* a quoted field spanning lines belongs to the line it ends on */
  assert_string_equal(s.text, "1:x|y,z|say \"hi\";3:two\nlines|1;");
}

static void test_errors_are_located(void **state) {
  seen s = {{0}, 0, 0, 0};
  liq_err err;
  static const char nul[] = "a,b\n1,\0\n";
  (void)state;
  liq_err_clear(&err);
  assert_int_equal(read_bytes(nul, sizeof nul - 1, &s, &err), LIQ_INPUT);
  assert_string_equal(err.file, "f.csv");
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.msg, "NUL byte"));

  memset(&s, 0, sizeof s);
  liq_err_clear(&err);
  assert_int_equal(read_text("a,b\n1,2\n3,\"4\n", &s, &err), LIQ_INPUT);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.msg, "malformed CSV"));

  memset(&s, 0, sizeof s);
  s.stop_at = 2;
  liq_err_clear(&err);
  assert_int_equal(read_text("a\n\nb\nc\n", &s, &err), LIQ_INPUT);
  assert_int_equal(err.line, 3);
  assert_string_equal(err.msg, "stop");
  assert_string_equal(s.text, "1:a;");
}

/* A field longer than LIQ_CSV_MAX_FIELD is an error at its line, found
** while it is read (quoted or not), and one just under the cap passes. */
static void test_field_cap(void **state) {
  size_t big = LIQ_CSV_MAX_FIELD + 10, k;
  char *text = malloc(big + 64);
  seen *s = calloc(1, sizeof *s);
  liq_err err;
  (void)state;
  assert_non_null(text);
  assert_non_null(s);
  for (k = 0; k < 2; k++) {
    int quoted = (int)k;
    size_t n = 0;
    n += (size_t)sprintf(text, "a,b\n1,%s", quoted ? "\"" : "");
    memset(text + n, '7', big);
    n += big;
    n += (size_t)sprintf(text + n, "%s\n2,3\n", quoted ? "\"" : "");
    memset(s, 0, sizeof *s);
    liq_err_clear(&err);
    assert_int_equal(read_bytes(text, n, s, &err), LIQ_INPUT);
    assert_string_equal(err.file, "f.csv");
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "longer than 1 MiB (1048576 bytes)"));
    assert_non_null(strstr(err.msg, "test file"));
  }
  {
    size_t n = (size_t)sprintf(text, "x\n");
    memset(text + n, '7', LIQ_CSV_MAX_FIELD);
    n += LIQ_CSV_MAX_FIELD;
    memset(s, 0, sizeof *s);
    liq_err_clear(&err);
    assert_liq_ok(read_bytes(text, n, s, &err), &err);
    assert_int_equal(s->rows, 2);
  }
  free(text);
  free(s);
}

/* With LIQ_CSV_COMMENTS, lines starting with '#' (after blanks) are
** skipped, even with quotes in them, but not inside a quoted field. */
static void test_comments(void **state) {
  seen s = {{0}, 0, 0, LIQ_CSV_COMMENTS};
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(read_text("# say \"hi\n  # more\na,\"b\n# in quotes\"\n#c\r\nd\n",
                          &s, &err), &err);
  assert_string_equal(s.text, "3:a|b\n# in quotes;6:d;");
  memset(&s, 0, sizeof s);
  liq_err_clear(&err);
  assert_liq_ok(read_text("#x\n", &s, &err), &err);    /* flags 0: a row */
  assert_string_equal(s.text, "1:#x;");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_line_ends_and_blank_rows),
    cmocka_unit_test(test_bom_quotes_and_spaces),
    cmocka_unit_test(test_errors_are_located),
    cmocka_unit_test(test_field_cap),
    cmocka_unit_test(test_comments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
