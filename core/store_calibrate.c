/*
** store_calibrate.c: the calibration tables of the results database.
**
**   calibrations(calibration_id, scenario_name, scenario_text, key, target,
**     max, direction, value, ci_low, ci_high, confidence, metric_at_value,
**     metric_se, replicates, evaluations, status, created_at, version,
**     range_low, range_high, tolerance, metric_low, metric_high, runs,
**     seconds, cap_response, params, seed, note)
**   calibration_points(calibration_id, seq, value, metric, metric_se, n, runs)
**
** value, ci_low, ci_high, metric_at_value and metric_se are NULL when the
** range has no answer (status all_meet, none_meet or non_monotone); the
** row says why in 'note'.  calibration_points keeps evaluation order in
** 'seq'.  The file gets the ordinary schema first (liq_store_open), so
** 'liqsim report' and sweeps work on it as on any results database.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef LIQ_VERSION
#define LIQ_VERSION "unknown"
#endif

#define CAL_BUSY_MS 10000

static const char zCalSchema[] =
  "CREATE TABLE IF NOT EXISTS calibrations(\n"
  "  calibration_id  INTEGER PRIMARY KEY,\n"
  "  scenario_name   TEXT NOT NULL,\n"
  "  scenario_text   TEXT,\n"
  "  key             TEXT NOT NULL,\n"
  "  target          TEXT NOT NULL,\n"
  "  max             REAL NOT NULL,\n"
  "  direction       TEXT NOT NULL,\n"   /* decreasing | increasing | flat */
  "  value           REAL,\n"
  "  ci_low          REAL,\n"
  "  ci_high         REAL,\n"
  "  confidence      REAL NOT NULL,\n"
  "  metric_at_value REAL,\n"
  "  metric_se       REAL,\n"
  "  replicates      INTEGER NOT NULL,\n"
  "  evaluations     INTEGER NOT NULL,\n"
  "  status          TEXT NOT NULL,\n"
  "  created_at      TEXT NOT NULL,\n"
  "  version         TEXT NOT NULL,\n"
  "  range_low       REAL,\n"
  "  range_high      REAL,\n"
  "  tolerance       REAL,\n"
  "  metric_low      REAL,\n"
  "  metric_high     REAL,\n"
  "  runs            INTEGER,\n"
  "  seconds         REAL,\n"
  "  cap_response    TEXT,\n"
  "  params          TEXT,\n"
  "  seed            INTEGER,\n"
  "  note            TEXT\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS calibration_points(\n"
  "  calibration_id  INTEGER NOT NULL REFERENCES calibrations(calibration_id),\n"
  "  seq             INTEGER NOT NULL,\n"
  "  value           REAL NOT NULL,\n"
  "  metric          REAL,\n"
  "  metric_se       REAL,\n"
  "  n               INTEGER NOT NULL,\n"
  "  runs            INTEGER NOT NULL,\n"
  "  PRIMARY KEY (calibration_id, seq)\n"
  ");\n";

static int db_fail(sqlite3 *db, const char *path, const char *what, liq_err *err) {
  return liq_errf(err, LIQ_DB, path, 0, "%s: %s", what,
                  db ? sqlite3_errmsg(db) : "out of memory");
}

static void bind_real_or_null(sqlite3_stmt *s, int i, int has, double v) {
  if (has && isfinite(v)) sqlite3_bind_double(s, i, v);
  else sqlite3_bind_null(s, i);
}

static void iso_now(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) buf[0] = '\0';
}

const char *liq_store_direction_name(int direction) {
  return direction < 0 ? "decreasing" : direction > 0 ? "increasing" : "flat";
}

int liq_store_calibration_write(const char *path, const liq_scenario *sc,
                                const liq_calibrate_params *cp,
                                const liq_calibrate_result *res,
                                int64_t *calibration_id, liq_err *err) {
  liq_store *st = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  char now[32];
  size_t i;
  int rc, ok;

  *calibration_id = 0;
  rc = liq_store_open(path, &st, err);     /* the ordinary schema */
  liq_store_close(st);
  if (rc != LIQ_OK) return rc;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "cannot open database", err);
    sqlite3_close_v2(db);
    return rc;
  }
  sqlite3_busy_timeout(db, CAL_BUSY_MS);
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, zCalSchema, NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "create the calibration tables", err);
    goto fail;
  }
  if (sqlite3_prepare_v2(db,
        "INSERT INTO calibrations(scenario_name, scenario_text, key, target, max,"
        " direction, value, ci_low, ci_high, confidence, metric_at_value,"
        " metric_se, replicates, evaluations, status, created_at, version,"
        " range_low, range_high, tolerance, metric_low, metric_high, runs,"
        " seconds, cap_response, params, seed, note) VALUES (?1, ?2, ?3, ?4, ?5,"
        " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
        " ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)", -1, &s, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "prepare the calibrations insert", err);
    goto fail;
  }
  iso_now(now, sizeof now);
  sqlite3_bind_text(s, 1, sc->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, sc->text ? sc->text : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, cp->key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, liq_calibrate_target_name(cp->target), -1, SQLITE_STATIC);
  sqlite3_bind_double(s, 5, cp->max);
  sqlite3_bind_text(s, 6, liq_store_direction_name(res->direction), -1, SQLITE_STATIC);
  bind_real_or_null(s, 7, res->has_value, res->value);
  bind_real_or_null(s, 8, res->has_value, res->ci_low);
  bind_real_or_null(s, 9, res->has_value, res->ci_high);
  sqlite3_bind_double(s, 10, cp->confidence);
  bind_real_or_null(s, 11, res->has_value, res->metric_at_value);
  bind_real_or_null(s, 12, res->has_value, res->metric_se);
  sqlite3_bind_int64(s, 13, (sqlite3_int64)res->replicates);
  sqlite3_bind_int64(s, 14, (sqlite3_int64)res->n_points);
  sqlite3_bind_text(s, 15, liq_calibrate_status_name(res->status), -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 16, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 17, LIQ_VERSION, -1, SQLITE_STATIC);
  sqlite3_bind_double(s, 18, cp->lo);
  sqlite3_bind_double(s, 19, cp->hi);
  sqlite3_bind_double(s, 20, cp->tolerance);
  bind_real_or_null(s, 21, 1, res->metric_lo);
  bind_real_or_null(s, 22, 1, res->metric_hi);
  sqlite3_bind_int64(s, 23, (sqlite3_int64)res->runs);
  sqlite3_bind_double(s, 24, res->seconds);
  sqlite3_bind_text(s, 25, res->cap_response, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 26, sc->params_json ? sc->params_json : "{}", -1,
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 27, (sqlite3_int64)sc->seed);
  if (res->note[0]) sqlite3_bind_text(s, 28, res->note, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(s, 28);
  if (sqlite3_step(s) != SQLITE_DONE) {
    rc = db_fail(db, path, "insert the calibration", err);
    goto fail;
  }
  *calibration_id = sqlite3_last_insert_rowid(db);
  sqlite3_finalize(s);
  s = NULL;
  if (sqlite3_prepare_v2(db,
        "INSERT INTO calibration_points(calibration_id, seq, value, metric,"
        " metric_se, n, runs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &s,
        NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "prepare the calibration_points insert", err);
    goto fail;
  }
  for (i = 0; i < res->n_points; i++) {
    const liq_calibrate_point *p = &res->points[i];
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, *calibration_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
    sqlite3_bind_double(s, 3, p->value);
    bind_real_or_null(s, 4, 1, p->metric);
    bind_real_or_null(s, 5, 1, p->metric_se);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)p->n);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)p->runs);
    if (sqlite3_step(s) != SQLITE_DONE) {
      rc = db_fail(db, path, "insert a calibration point", err);
      goto fail;
    }
  }
  sqlite3_finalize(s);
  s = NULL;
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "commit the calibration", err);
    goto fail;
  }
  sqlite3_close_v2(db);
  return LIQ_OK;
fail:
  sqlite3_finalize(s);
  ok = sqlite3_get_autocommit(db);
  if (!ok) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close_v2(db);
  *calibration_id = 0;
  return rc;
}

static const char *col_text(sqlite3_stmt *s, int i, const char *dflt) {
  const unsigned char *z = sqlite3_column_text(s, i);
  return z ? (const char *)z : dflt;
}

int liq_store_calibration_report(const char *path, FILE *out, liq_err *err) {
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  int rc = LIQ_OK, src, first = 1;

  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = db_fail(db, path, "cannot open database", err);
    sqlite3_close_v2(db);
    return rc;
  }
  sqlite3_busy_timeout(db, CAL_BUSY_MS);
  if (sqlite3_prepare_v2(db,
        "SELECT calibration_id, scenario_name, key, target, max, direction,"
        " value, ci_low, ci_high, confidence, metric_at_value, metric_se,"
        " replicates, evaluations, status, created_at, runs, seconds,"
        " cap_response, note, metric_low, metric_high, range_low, range_high"
        " FROM calibrations ORDER BY calibration_id", -1, &s, NULL) != SQLITE_OK) {
    /* no calibrations table: nothing to list */
    sqlite3_close_v2(db);
    return LIQ_OK;
  }
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    const char *key = col_text(s, 2, "?"), *target = col_text(s, 3, "?");
    double conf = sqlite3_column_double(s, 9);
    if (first) fputc('\n', out);
    first = 0;
    fprintf(out, "calibration %lld: %s, %s for %s <= %g, %s (%s), %lld "
            "evaluations x %lld replicates (%lld runs) in %.1f s, cap_response "
            "%s, %s\n",
            (long long)sqlite3_column_int64(s, 0), col_text(s, 1, "?"), key,
            target, sqlite3_column_double(s, 4), col_text(s, 14, "?"),
            col_text(s, 5, "?"), (long long)sqlite3_column_int64(s, 13),
            (long long)sqlite3_column_int64(s, 12),
            (long long)sqlite3_column_int64(s, 16), sqlite3_column_double(s, 17),
            col_text(s, 18, "?"), col_text(s, 15, "?"));
    if (sqlite3_column_type(s, 6) != SQLITE_NULL)
      fprintf(out, "  %s = %.6g (%g %% CI %.6g to %.6g): %s %.6g (se %.2g)\n",
              key, sqlite3_column_double(s, 6), 100.0 * conf,
              sqlite3_column_double(s, 7), sqlite3_column_double(s, 8), target,
              sqlite3_column_double(s, 10), sqlite3_column_double(s, 11));
    else
      fprintf(out, "  no value: %s %.6g at %s = %.6g, %.6g at %.6g\n", target,
              sqlite3_column_double(s, 20), key, sqlite3_column_double(s, 22),
              sqlite3_column_double(s, 21), sqlite3_column_double(s, 23));
    if (sqlite3_column_type(s, 19) != SQLITE_NULL)
      fprintf(out, "  note: %s\n", col_text(s, 19, ""));
  }
  if (src != SQLITE_DONE) rc = db_fail(db, path, "read the calibrations", err);
  sqlite3_finalize(s);
  sqlite3_close_v2(db);
  return rc;
}
