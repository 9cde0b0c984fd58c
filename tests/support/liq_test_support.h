/*
** liq_test_support.h: helpers shared by the test programs, one copy each.
**
**   files    fresh temporary directories (removed by a group teardown),
**            writing and reading whole files;
**   process  running the liqsim binary (LIQ_BINARY) or any program with
**            stdout and stderr captured to files, with an optional time limit;
**   SQLite   the single value of a query, statements that must succeed;
**   scenarios  small scenario texts and a located-error expectation.
**
** Assertions (assert_rel, assert_liq_ok) and liq_test_write_temp() are in
** test_util.h, included here.
*/
#ifndef LIQ_TEST_SUPPORT_H
#define LIQ_TEST_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "test_util.h"

/* ---- files ------------------------------------------------------------- */

/* Make a fresh directory named like "<TMPDIR>/<prefix>-XXXXXX" into buf and
** remember it for liq_test_remove_temp_dirs(). */
void liq_test_temp_dir(const char *prefix, char *buf, size_t size);
/* Group teardown: remove every directory liq_test_temp_dir() made. */
int liq_test_remove_temp_dirs(void **state);
/* Remove 'path' and, for a directory, everything under it. */
void liq_test_remove_tree(const char *path);
/* Write 'n' bytes (may hold NULs) to dir/name; the path goes to 'out'. */
void liq_test_write_file(const char *dir, const char *name, const char *data,
                         size_t n, char *out, size_t size);
/* liq_test_write_file() of a NUL-terminated text. */
void liq_test_write_text(const char *dir, const char *name, const char *text,
                         char *out, size_t size);
/* The whole file as a string (caller frees); "" when unreadable. */
char *liq_test_slurp(const char *path);
/* Up to size - 1 bytes of 'path' into buf (NUL-terminated); returns buf. */
char *liq_test_slurp_into(const char *path, char *buf, size_t size);

/* ---- processes ----------------------------------------------------------- */

/* Start argv[0] (searched in PATH) with stdout and stderr written to the
** files 'out' and 'err'; returns the pid. */
pid_t liq_test_spawn(const char *const *argv, const char *out, const char *err);
/* Wait for 'pid'.  Returns its exit code, 128 + signal when a signal ended
** it, or -1 when it ran longer than 'limit_s' seconds (0: no limit) and
** was killed. */
int liq_test_wait(pid_t pid, double limit_s);
/* Run LIQ_BINARY with 'args' (NULL-terminated, without argv[0]); as
** liq_test_spawn() then liq_test_wait(). */
int liq_test_liqsim(const char *const *args, const char *out, const char *err,
                    double limit_s);

/* What a run of liqsim left: its exit code (as liq_test_wait()) and its
** output.  The text lives in static buffers (64 KiB each, overwritten by
** the next liq_test_cli()), so nothing leaks when an assertion fails. */
typedef struct liq_test_cli_result {
  int         code;
  const char *out, *err;
} liq_test_cli_result;

/* Run LIQ_BINARY with 'args', its output in dir/stdout.txt and
** dir/stderr.txt, killed after 'limit_s' seconds. */
liq_test_cli_result liq_test_cli(const char *dir, double limit_s,
                                 const char *const *args);
/* 'err' starts "liqsim: <...file_suffix>:<line>: " (a located message). */
int liq_test_located_in(const char *err, const char *file_suffix);
/* liq_test_located_in() at exactly 'line'. */
int liq_test_located_at(const char *err, const char *file_suffix, int line);

/* ---- SQLite -------------------------------------------------------------- */

/* Open 'path' read-only with a 10 s busy timeout; fails the test if it cannot. */
sqlite3 *liq_test_open_db(const char *path);
/* The first column of the first row; fails the test when the statement is
** bad or returns no row.  NULL reads as 0 and NaN. */
sqlite3_int64 liq_test_query_int(sqlite3 *db, const char *sql);
double liq_test_query_double(sqlite3 *db, const char *sql);
/* Run 'sql' (any number of statements); fails the test on an error. */
void liq_test_exec(sqlite3 *db, const char *sql);

/* ---- scenarios ----------------------------------------------------------- */

/* The book and margin several input tests share (4 lines). */
#define LIQ_TEST_BOOK_MARGIN                                                   \
  "book = { positions = 10; long_share = 0.5;\n"                               \
  "  leverage = { values = [2.0, 5.0]; };\n"                                   \
  "  notional = { dist = \"fixed\"; median = 1000.0; }; };\n"                  \
  "margin = { initial = 0.01; maintenance = 0.005; };\n"

/* 4 lines; price.model on line 4. */
#define LIQ_TEST_GBM_HEAD                                                      \
  "name = \"edges\";\n"                                                        \
  "steps = 10;\n"                                                              \
  "step_seconds = 60;\n"                                                       \
  "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"


/* Load 'text' (named 'name'), expecting LIQ_INPUT at 'line' with a message
** holding 'fragment'. */
void liq_test_expect_bad_scenario(const char *text, const char *name, int line,
                                  const char *fragment);
/* Print what a liqsim run left (exit code, start of stderr). */
void liq_test_print_cli(const char *what, const liq_test_cli_result *r);

#endif
