/*
** test_csv.c: the CSV input layer (core/csv.c): line ends, byte-order
** marks, blank rows, quoting, NUL bytes, the field-length cap, and the
** FILE:LINE of every error.
*/
#define _POSIX_C_SOURCE 200809L   /* fmemopen */

#include "liq_test_support.h"

#include "liq_path.h"

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

/*
** Used to: the first row was a header whenever its first field was not a
** number, so a data row with a typo in its time
** ("1700000000000x,100,101,99,100.5") was silently dropped as a header
** and the replay started one bar late.  Now a header must have no numeric
** price column: this row is data, and its time an error at line 1.
*/
static void test_csv_bad_first_row_is_data(void **state) {
  char dir[256], csv[512];
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-csv", dir, sizeof dir);
  liq_test_write_text(dir, "typo.csv",
             "1700000000000x,100,101,99,100.5\n"
             "1700000060000,100.5,101,99.5,100\n"
             "1700000120000,100,100.8,99,100.2\n", csv, sizeof csv);
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  p = NULL;
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.msg, "open time is not a number"));

  /* A header is still a header; so is a close-only one. */
  liq_test_write_text(dir, "hdr.csv",
             "open_time,open,high,low,close\n"
             "1700000000000,100,101,99,100.5\n"
             "1700000060000,100.5,101,99.5,100\n", csv, sizeof csv);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(p->n, 2);
  liq_path_free(p);
  p = NULL;
  liq_test_write_text(dir, "hdr2.csv", "time,price\n1700000000,100\n1700000060,101\n", csv,
             sizeof csv);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(p->n, 2);
  liq_path_free(p);
}

/*
** Used to: fields were copied with their length but parsed as C strings,
** so "100.5<NUL>junk" read as 100.5: binary junk was accepted silently.
** Now a NUL byte anywhere is an error at its line.
*/
static void test_csv_nul_byte_rejected(void **state) {
  static const char data[] =
    "1700000000000,100,101,99,100.5\n"
    "1700000060000,100.5\0junk,101,99.5,100\n"
    "1700000120000,100,100.8,99,100.2\n";
  char dir[256], csv[512];
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-csv", dir, sizeof dir);
  liq_test_write_file(dir, "nul.csv", data, sizeof data - 1, csv, sizeof csv);
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.msg, "NUL byte"));
}

/* Replay 'csv' expecting LIQ_INPUT at 'line'. */
static void expect_csv_line(const char *csv, int line) {
  liq_path *p = NULL;
  liq_err err;
  int rc;
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  if (rc != LIQ_INPUT || err.line != line)
    print_message("%s: rc %d, line %d: %s\n", csv, rc, err.line, err.msg);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, line);
}

/*
** Used to: lines were counted at '\n' only, while libcsv ends rows at a
** bare '\r' too, so a CR-only file (classic Mac, some exports) parsed but
** reported every error at line 1.  Now lines end at LF, CR or CRLF (a
** CRLF counts once, also when a read splits it).  The NaN is on line 4.
*/
static void test_csv_cr_line_numbers(void **state) {
  char dir[256], csv[512], *big;
  size_t pad, n, head;
  (void)state;
  liq_test_temp_dir("liqsim-csv", dir, sizeof dir);
  liq_test_write_text(dir, "cr.csv",
             "open_time,open,high,low,close\r"
             "1700000000000,100,101,99,100.5\r"
             "1700000060000,100.5,101,99.5,100\r"
             "1700000120000,100,100.8,99,nan\r", csv, sizeof csv);
  expect_csv_line(csv, 4);
  liq_test_write_text(dir, "crlf.csv",
             "open_time,open,high,low,close\r\n"
             "1700000000000,100,101,99,100.5\r\n"
             "1700000060000,100.5,101,99.5,100\r\n"
             "1700000120000,100,100.8,99,nan\r\n", csv, sizeof csv);
  expect_csv_line(csv, 4);
  liq_test_write_text(dir, "mixed.csv",
             "open_time,open,high,low,close\n"
             "1700000000000,100,101,99,100.5\r"
             "1700000060000,100.5,101,99.5,100\r\n"
             "1700000120000,100,100.8,99,nan\n", csv, sizeof csv);
  expect_csv_line(csv, 4);

  /* A header so long that its CRLF straddles the reader's 64 KiB reads:
  ** the '\r' is the last byte of the first read. */
  head = strlen(",open,high,low,close");
  pad = 65535 - head;                      /* "t", pad - 1 x "x", head: 65535 */
  n = 65536 + 256;
  big = malloc(n);
  assert_non_null(big);
  big[0] = 't';
  memset(big + 1, 'x', pad - 1);
  memcpy(big + pad, ",open,high,low,close", head);
  assert_int_equal(pad + head, 65535);
  big[65535] = '\r';
  big[65536] = '\n';
  snprintf(big + 65537, n - 65537,
           "1700000000000,100,101,99,100.5\r\n"
           "1700000060000,100.5,101,99.5,100\r\n"
           "1700000120000,100,100.8,99,nan\r\n");
  liq_test_write_file(dir, "split.csv", big, strlen(big + 65537) + 65537, csv, sizeof csv);
  free(big);
  expect_csv_line(csv, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_line_ends_and_blank_rows),
    cmocka_unit_test(test_bom_quotes_and_spaces),
    cmocka_unit_test(test_errors_are_located),
    cmocka_unit_test(test_field_cap),
    cmocka_unit_test(test_comments),
    cmocka_unit_test(test_csv_bad_first_row_is_data),
    cmocka_unit_test(test_csv_nul_byte_rejected),
    cmocka_unit_test(test_csv_cr_line_numbers),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
