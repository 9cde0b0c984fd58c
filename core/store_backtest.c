/*
** store_backtest.c: the backtest tables of the results database (see
** liq_backtest.h and DESIGN.md).
**
**   backtests        one row per (backtest_id, side): settings, coverage
**                    statistics on all points and on the non-overlapping
**                    subsample, traffic-light zone counts, procyclicality;
**   backtest_points  one row per evaluated bar: entry price, the margin
**                    rates (after and before APC), the horizon's log move,
**                    the exceedances, and the traffic-light zone of the
**                    trailing 250-observation window at sampled points.
**
** The database is opened with liq_store_open(), so a new file gets the
** whole schema and an old one has its version checked; the backtest
** tables are created on that connection (CREATE IF NOT EXISTS) and the
** rows written in one transaction with the store's helpers (store_int.h:
** NaN as NULL, SQLite errors as LIQ_DB with the path).
*/
#include "liq_backtest.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "liq_store.h"
#include "store_int.h"

static const char *const zBacktestSchema =
  "CREATE TABLE IF NOT EXISTS backtests(\n"
  "  backtest_id   INTEGER NOT NULL,\n"
  "  side          TEXT NOT NULL,      -- long | short\n"
  "  file          TEXT,               -- price file\n"
  "  model         TEXT NOT NULL,      -- hs | ewma | fhs | garch | file\n"
  "  params        TEXT,               -- JSON: lookback, lambda, apc, window\n"
  "  confidence    REAL,\n"
  "  horizon_bars  INTEGER,\n"
  "  n_obs         INTEGER,            -- observed moves in the window\n"
  "  exceedances   INTEGER,\n"
  "  kupiec_lr     REAL, kupiec_p REAL,\n"
  "  christoffersen_lr_ind REAL, christoffersen_p_ind REAL,\n"
  "  christoffersen_lr_cc  REAL, christoffersen_p_cc  REAL,\n"
  "  zone          TEXT,               -- last 250-obs window (non-overlapping); NULL: fewer\n"
  "  peak_to_trough REAL,              -- max margin / min margin\n"
  "  max_increase_30d REAL,            -- largest rise within 30 days, fraction\n"
  "  created_at    TEXT,\n"
  "  version       TEXT,\n"
  "  apc           TEXT,\n"
  "  lookback_bars INTEGER,\n"
  "  step_seconds  REAL,\n"
  "  first_t_ms    INTEGER, last_t_ms INTEGER,\n"
  "  n_obs_nonoverlap INTEGER, exceedances_nonoverlap INTEGER,\n"
  "  kupiec_lr_nonoverlap REAL, kupiec_p_nonoverlap REAL,\n"
  "  christoffersen_lr_ind_nonoverlap REAL, christoffersen_p_ind_nonoverlap REAL,\n"
  "  christoffersen_lr_cc_nonoverlap REAL, christoffersen_p_cc_nonoverlap REAL,\n"
  "  zone_n_obs    INTEGER, zone_exceedances INTEGER,\n"
  "  windows_green INTEGER, windows_yellow INTEGER, windows_red INTEGER,\n"
  "  zone_cdf      REAL,               -- P(X <= zone_exceedances), X ~ Bin(zone_n_obs, 1 - confidence)\n"
  "  PRIMARY KEY(backtest_id, side)\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS backtest_points(\n"
  "  backtest_id   INTEGER NOT NULL,\n"
  "  t_ms          INTEGER NOT NULL,   -- bar open time: the margin is set here\n"
  "  price         REAL,               -- last close before the bar (entry)\n"
  "  margin_long   REAL, margin_short REAL,        -- rates after APC\n"
  "  move          REAL,               -- ln(close H bars on / price); NULL across a gap\n"
  "  exceed_long   INTEGER, exceed_short INTEGER,\n"
  "  model_long    REAL, model_short REAL,         -- rates before APC\n"
  "  sampled       INTEGER,            -- 1: in the non-overlapping subsample\n"
  "  zone_long     TEXT, zone_short TEXT,          -- trailing 250-obs window\n"
  "  PRIMARY KEY(backtest_id, t_ms)\n"
  ");\n";

/* JSON of the settings that are not columns of their own. */
static void params_json(const liq_backtest_result *r, const liq_backtest_meta *meta,
                        char *buf, size_t size) {
  const liq_backtest_settings *s = &r->set;
  int k = snprintf(buf, size, "{\"lookback_bars\":%zu,\"apc\":\"%s\"", s->lookback_bars,
                   liq_bt_apc_name(s->apc));
  if (k < 0 || (size_t)k >= size) return;
  if (s->model == LIQ_BT_EWMA || s->model == LIQ_BT_FHS)
    k += snprintf(buf + k, size - (size_t)k, ",\"lambda\":%.17g", s->lambda);
  if (s->model == LIQ_BT_GARCH && (size_t)k < size)
    k += snprintf(buf + k, size - (size_t)k, ",\"refit_bars\":%zu", s->refit_bars);
  if (s->has_from && (size_t)k < size)
    k += snprintf(buf + k, size - (size_t)k, ",\"from_ms\":%lld", (long long)s->from_ms);
  if (s->has_to && (size_t)k < size)
    k += snprintf(buf + k, size - (size_t)k, ",\"to_ms\":%lld", (long long)s->to_ms);
  if (meta->margin_file && (size_t)k < size) {
    const char *c;
    k += snprintf(buf + k, size - (size_t)k, ",\"margin_file\":\"");
    for (c = meta->margin_file; *c && (size_t)k + 8 < size; c++) {
      if (*c == '"' || *c == '\\') buf[k++] = '\\';
      if ((unsigned char)*c >= 0x20) buf[k++] = *c;
    }
    buf[k] = '\0';
    k += snprintf(buf + k, size - (size_t)k, "\"");
  }
  if ((size_t)k < size) snprintf(buf + k, size - (size_t)k, "}");
}

static int insert_side(sqlite3 *db, const char *path, sqlite3_stmt *s, int64_t id,
                       const liq_backtest_meta *meta, const liq_backtest_result *r,
                       int side, const char *params, liq_err *err) {
  const liq_bt_side *sd = &r->side[side];
  int i = 1;
  sqlite3_bind_int64(s, i++, id);
  store_bind_text(s, i++, side == 0 ? "long" : "short");
  store_bind_text(s, i++, meta->file);
  store_bind_text(s, i++, liq_bt_model_name(r->set.model));
  store_bind_text(s, i++, params);
  store_bind_double(s, i++, r->set.confidence);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)r->set.horizon_bars);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->all.n_obs);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->all.exceedances);
  store_bind_double(s, i++, sd->all.kupiec_lr);
  store_bind_double(s, i++, sd->all.kupiec_p);
  store_bind_double(s, i++, sd->all.chr.lr_ind);
  store_bind_double(s, i++, sd->all.chr.p_ind);
  store_bind_double(s, i++, sd->all.chr.lr_cc);
  store_bind_double(s, i++, sd->all.chr.p_cc);
  store_bind_text(s, i++, liq_zone_name(sd->zone));      /* NULL below 250 obs */
  store_bind_double(s, i++, sd->peak_to_trough);
  store_bind_double(s, i++, sd->max_increase_30d);
  store_bind_text(s, i++, LIQ_VERSION);
  store_bind_text(s, i++, liq_bt_apc_name(r->set.apc));
  sqlite3_bind_int64(s, i++, (sqlite3_int64)r->set.lookback_bars);
  store_bind_double(s, i++, r->step_seconds);
  sqlite3_bind_int64(s, i++, r->n ? r->t_ms[0] : 0);
  sqlite3_bind_int64(s, i++, r->n ? r->t_ms[r->n - 1] : 0);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->nonoverlap.n_obs);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->nonoverlap.exceedances);
  store_bind_double(s, i++, sd->nonoverlap.kupiec_lr);
  store_bind_double(s, i++, sd->nonoverlap.kupiec_p);
  store_bind_double(s, i++, sd->nonoverlap.chr.lr_ind);
  store_bind_double(s, i++, sd->nonoverlap.chr.p_ind);
  store_bind_double(s, i++, sd->nonoverlap.chr.lr_cc);
  store_bind_double(s, i++, sd->nonoverlap.chr.p_cc);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->zone_n);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->zone_exceedances);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->windows[LIQ_ZONE_GREEN]);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->windows[LIQ_ZONE_YELLOW]);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)sd->windows[LIQ_ZONE_RED]);
  store_bind_double(s, i++, sd->zone < 0 ? (double)NAN
                    : liq_binomial_cdf(sd->zone_exceedances, sd->zone_n,
                                       1.0 - r->set.confidence));
  return store_step_done(db, path, s, "insert a backtest", err);
}

static int insert_points(sqlite3 *db, const char *path, sqlite3_stmt *s, int64_t id,
                         const liq_backtest_result *r, liq_err *err) {
  size_t k;
  for (k = 0; k < r->n; k++) {
    int i = 1;
    sqlite3_bind_int64(s, i++, id);
    sqlite3_bind_int64(s, i++, r->t_ms[k]);
    store_bind_double(s, i++, r->price[k]);
    store_bind_double(s, i++, r->margin_long[k]);
    store_bind_double(s, i++, r->margin_short[k]);
    store_bind_double(s, i++, r->move[k]);
    sqlite3_bind_int(s, i++, r->exceed_long[k]);
    sqlite3_bind_int(s, i++, r->exceed_short[k]);
    store_bind_double(s, i++, r->model_long[k]);
    store_bind_double(s, i++, r->model_short[k]);
    sqlite3_bind_int(s, i++, r->sampled[k]);
    store_bind_text(s, i++, liq_zone_name(r->zone_long[k]));
    store_bind_text(s, i++, liq_zone_name(r->zone_short[k]));
    if (store_step_done(db, path, s, "insert a backtest point", err) != LIQ_OK)
      return LIQ_DB;
  }
  return LIQ_OK;
}

/* Columns added after the tables first shipped: a database written by an
** older liqsim gets them (ALTER TABLE ... ADD COLUMN) before rows go in. */
static const char *const added_columns[][3] = {
  { "backtests", "zone_cdf", "REAL" },
};

static int ensure_columns(sqlite3 *db, const char *path, liq_err *err) {
  size_t i;
  for (i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
    sqlite3_stmt *q = NULL;
    char sql[256];
    int found = 0, rc;
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s'",
             added_columns[i][0], added_columns[i][1]);
    rc = store_prepare(db, path, sql, 0, &q, "read the backtest columns", err);
    if (rc != LIQ_OK) return rc;
    found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (found) continue;
    snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", added_columns[i][0],
             added_columns[i][1], added_columns[i][2]);
    rc = store_exec_sql(db, path, sql, "add a backtest column", err);
    if (rc != LIQ_OK) return rc;
  }
  return LIQ_OK;
}

int liq_backtest_store(const char *path, const liq_backtest_meta *meta,
                       const liq_backtest_result *r, int64_t *id, liq_err *err) {
  liq_store *st = NULL;
  sqlite3 *db;
  sqlite3_stmt *sMax = NULL, *sSide = NULL, *sPt = NULL;
  char params[2048];
  int rc, side;

  *id = 0;
  rc = liq_store_open(path, &st, err);       /* the schema and its version */
  if (rc != LIQ_OK) return rc;
  db = st->db;
  rc = store_exec_sql(db, path, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) goto done;
  rc = store_exec_sql(db, path, zBacktestSchema, "create the backtest tables", err);
  if (rc == LIQ_OK) rc = ensure_columns(db, path, err);
  if (rc == LIQ_OK)
    rc = store_prepare(db, path, "SELECT coalesce(max(backtest_id), 0) + 1 FROM backtests",
                       0, &sMax, "choose a backtest id", err);
  if (rc == LIQ_OK && sqlite3_step(sMax) != SQLITE_ROW)
    rc = store_db_error(db, path, "choose a backtest id", err);
  if (rc != LIQ_OK) goto done;
  *id = sqlite3_column_int64(sMax, 0);
  rc = store_prepare(db, path,
        "INSERT INTO backtests(backtest_id, side, file, model, params, confidence,"
        " horizon_bars, n_obs, exceedances, kupiec_lr, kupiec_p,"
        " christoffersen_lr_ind, christoffersen_p_ind, christoffersen_lr_cc,"
        " christoffersen_p_cc, zone, peak_to_trough, max_increase_30d, created_at,"
        " version, apc, lookback_bars, step_seconds, first_t_ms, last_t_ms,"
        " n_obs_nonoverlap, exceedances_nonoverlap, kupiec_lr_nonoverlap,"
        " kupiec_p_nonoverlap, christoffersen_lr_ind_nonoverlap,"
        " christoffersen_p_ind_nonoverlap, christoffersen_lr_cc_nonoverlap,"
        " christoffersen_p_cc_nonoverlap, zone_n_obs, zone_exceedances,"
        " windows_green, windows_yellow, windows_red, zone_cdf)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, " LIQ_SQL_NOW ", ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27,"
        " ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38)",
        0, &sSide, "prepare the backtests INSERT", err);
  if (rc == LIQ_OK)
    rc = store_prepare(db, path,
        "INSERT INTO backtest_points(backtest_id, t_ms, price, margin_long,"
        " margin_short, move, exceed_long, exceed_short, model_long, model_short,"
        " sampled, zone_long, zone_short)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        0, &sPt, "prepare the backtest_points INSERT", err);
  if (rc != LIQ_OK) goto done;
  params_json(r, meta, params, sizeof params);
  for (side = 0; side < 2 && rc == LIQ_OK; side++)
    rc = insert_side(db, path, sSide, *id, meta, r, side, params, err);
  if (rc == LIQ_OK) rc = insert_points(db, path, sPt, *id, r, err);
  if (rc == LIQ_OK) rc = store_exec_sql(db, path, "COMMIT", "commit the backtest", err);
done:
  sqlite3_finalize(sMax);
  sqlite3_finalize(sSide);
  sqlite3_finalize(sPt);
  if (rc != LIQ_OK) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    *id = 0;
  }
  liq_store_close(st);
  return rc;
}
