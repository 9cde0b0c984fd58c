/*
** test_db.c: reading a results database back with plain SQLite in the
** tests (liq_test_support.h).
*/
#include "liq_test_support.h"

#include <math.h>

sqlite3 *liq_test_open_db(const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    print_error("cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
    fail();
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

/* 'sql' stepped to its first row; fails the test otherwise. */
static sqlite3_stmt *first_row(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(db));
    fail();
  }
  if (sqlite3_step(st) != SQLITE_ROW) {
    print_error("%s: no row (%s)\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    fail();
  }
  return st;
}

sqlite3_int64 liq_test_query_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = first_row(db, sql);
  sqlite3_int64 v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

double liq_test_query_double(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = first_row(db, sql);
  double v = sqlite3_column_type(st, 0) == SQLITE_NULL ? (double)NAN
                                                       : sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

void liq_test_exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    print_error("%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    fail();
  }
}
