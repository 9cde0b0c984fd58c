/*
** store.c: the SQLite results database (see liq_store.h).
**
** This file contains the schema, the prepared statements that write a run
** (runs, steps, liquidations, summary) and the text report that reads one
** back.  The database is the product: every table is plain SQL that a
** researcher can open in sqlite3, pandas or R.
**
** Transactions.  The runs row of a new run is committed at once, so a
** killed process leaves a visible 'running' row.  Step and liquidation
** rows are written in batches: the first row after a commit opens a write
** transaction (BEGIN IMMEDIATE, so a concurrent writer makes us wait on the
** busy timeout instead of failing on a stale snapshot), and every
** LIQ_STORE_BATCH rows it is committed.  liq_store_finish_run() writes the
** summary and the final status in the transaction of the last batch;
** liq_store_fail_run() rolls the batch back and deletes the rows of earlier
** batches, so a failed run never leaves partial rows.
**
** Every double that is NaN is stored as NULL (bind_double()).  Counts are
** INTEGER, money and prices REAL.  Timestamps are ISO-8601 UTC text.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_store.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "liq_sweep.h"

#ifndef LIQ_VERSION
# define LIQ_VERSION "unknown"
#endif

#define LIQ_STORE_BATCH          20000  /* rows per committed transaction */
#define LIQ_STORE_BUSY_MS        10000  /* wait this long on a locked database */
#define LIQ_STORE_SCHEMA_VERSION 2
#define LIQ_STORE_REPORT_TOP     5      /* steps listed by liquidations */

/* ISO-8601 UTC with milliseconds, evaluated by SQLite. */
#define LIQ_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

/* The per-step columns before the cushion quantiles, in binding order. */
#define LIQ_STEP_FIXED_COLUMNS                                               \
  "run_id, step, t_ms, price, price_exogenous, price_low, price_high, "      \
  "liquidations, liquidations_long, liquidations_short, "                    \
  "liquidated_notional, cascade_rounds, margin_calls, insurance_fund, fees, " \
  "bad_debt, uncovered_loss, open_interest_long, open_interest_short, "      \
  "open_long, open_short, partial_liquidations, funding, funding_short, "    \
  "topups, topup_collateral, adl_count, adl_notional, haircut"
#define LIQ_STEP_N_FIXED 29

/*
** The schema.  Every statement is idempotent, so opening an existing
** database runs it again harmlessly.  More steps.cushion_<label> columns
** are added by ensure_quantile_columns() when a scenario asks for them.
*/
static const char *const zSchema =
  "CREATE TABLE IF NOT EXISTS meta(\n"
  "  key   TEXT PRIMARY KEY,\n"
  "  value TEXT\n"
  ");\n"
  "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '2');\n"
  "CREATE TABLE IF NOT EXISTS runs(\n"
  "  run_id        INTEGER PRIMARY KEY,\n"
  "  sweep_id      INTEGER,\n"
  "  task_id       INTEGER,\n"
  "  scenario_name TEXT,\n"
  "  seed          INTEGER,\n"
  "  params        TEXT,      -- JSON of the --set overrides\n"
  "  scenario_text TEXT,\n"
  "  scenario_path TEXT,\n"
  "  version       TEXT,      -- liqsim version that wrote the run\n"
  "  status        TEXT NOT NULL CHECK(status IN ('running','done','failed')),\n"
  "  error         TEXT,\n"
  "  started_at    TEXT,      -- ISO-8601 UTC\n"
  "  finished_at   TEXT,\n"
  "  steps         INTEGER,\n"
  "  positions     INTEGER\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS steps(\n"
  "  run_id              INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  step                INTEGER NOT NULL,\n"
  "  t_ms                INTEGER,\n"
  "  price               REAL,\n"
  "  price_exogenous     REAL,\n"
  "  price_low           REAL,\n"
  "  price_high          REAL,\n"
  "  liquidations        INTEGER,\n"
  "  liquidations_long   INTEGER,\n"
  "  liquidations_short  INTEGER,\n"
  "  liquidated_notional REAL,\n"
  "  cascade_rounds      INTEGER,\n"
  "  margin_calls        INTEGER,\n"
  "  insurance_fund      REAL,\n"
  "  fees                REAL,\n"
  "  bad_debt            REAL,\n"
  "  uncovered_loss      REAL,\n"
  "  open_interest_long  REAL,\n"
  "  open_interest_short REAL,\n"
  "  open_long           INTEGER,\n"
  "  open_short          INTEGER,\n"
  "  partial_liquidations INTEGER, -- hits that closed only a share\n"
  "  funding             REAL,     -- paid by longs (negative: received)\n"
  "  funding_short       REAL,     -- paid by shorts\n"
  "  topups              INTEGER,\n"
  "  topup_collateral    REAL,\n"
  "  adl_count           INTEGER,\n"
  "  adl_notional        REAL,\n"
  "  haircut             REAL,     -- profit taken by ADL or socialised loss\n"
  "  cushion_q01         REAL,\n"
  "  cushion_q05         REAL,\n"
  "  cushion_q25         REAL,\n"
  "  cushion_q50         REAL,\n"
  "  distance_q01        REAL,\n"
  "  distance_q05        REAL,\n"
  "  distance_q25        REAL,\n"
  "  distance_q50        REAL,\n"
  "  PRIMARY KEY(run_id, step)\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE IF NOT EXISTS liquidations(\n"
  "  run_id            INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  step              INTEGER NOT NULL,\n"
  "  round             INTEGER,\n"
  "  position_id       INTEGER,\n"
  "  side              TEXT CHECK(side IN ('long','short')),\n"
  "  qty               REAL,\n"
  "  price             REAL,\n"
  "  trigger_price     REAL,\n"
  "  liquidation_price REAL,\n"
  "  bankruptcy_price  REAL,\n"
  "  equity            REAL,\n"
  "  loss              REAL,\n"
  "  fee               REAL,\n"
  "  returned          REAL,\n"
  "  share             REAL      -- share of the position closed; 1 = whole\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS liquidations_run_step\n"
  "  ON liquidations(run_id, step);\n";

/* The rest of the schema (C99 compilers need support strings of 4095
** characters only). */
static const char *const zSchema2 =
  "CREATE TABLE IF NOT EXISTS adl(\n"
  "  run_id      INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  step        INTEGER NOT NULL,\n"
  "  round       INTEGER,\n"
  "  position_id INTEGER,    -- NULL: a socialised charge to a whole side\n"
  "  side        TEXT,\n"
  "  qty         REAL,\n"
  "  price       REAL,\n"
  "  share       REAL,\n"
  "  haircut     REAL,\n"
  "  rank_score  REAL       -- adl-ranked: PnL ratio x effective leverage\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS adl_run_step ON adl(run_id, step);\n"
  "CREATE TABLE IF NOT EXISTS summary(\n"
  "  run_id               INTEGER PRIMARY KEY REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  positions            INTEGER,\n"
  "  liquidated           INTEGER,\n"
  "  liquidated_long      INTEGER,\n"
  "  liquidated_short     INTEGER,\n"
  "  liquidated_notional  REAL,\n"
  "  margin_calls         INTEGER,\n"
  "  bad_debt             REAL,\n"
  "  uncovered_loss       REAL,\n"
  "  fees                 REAL,\n"
  "  insurance_fund_start REAL,\n"
  "  insurance_fund_end   REAL,\n"
  "  insurance_fund_min   REAL,\n"
  "  adl_notional         REAL,\n"
  "  max_cascade_rounds   INTEGER,\n"
  "  start_price          REAL,\n"
  "  min_price            REAL,\n"
  "  min_price_exogenous  REAL,\n"
  "  max_price            REAL,\n"
  "  max_price_exogenous  REAL,\n"
  "  drawdown             REAL,\n"
  "  drawdown_exogenous   REAL,\n"
  "  amplification        REAL,     -- NULL when the exogenous drawdown is 0\n"
  "  steps                INTEGER,\n"
  "  collateral           REAL,\n"
  "  pnl_closed           REAL,\n"
  "  pnl_open             REAL,\n"
  "  returned             REAL,\n"
  "  open_equity          REAL,\n"
  "  partial_liquidations INTEGER,\n"
  "  topups               INTEGER,\n"
  "  topup_collateral     REAL,\n"
  "  funding_long         REAL,\n"
  "  funding_short        REAL,\n"
  "  haircut              REAL,\n"
  "  adl_count            INTEGER,\n"
  "  first_adl_step       INTEGER   -- NULL when no ADL happened\n"
  ");\n";

/*
** The sweep tables (see the Sweeps section at the end of this file and
** liq_sweep.h).  A sweep's runs rows carry runs.sweep_id and runs.task_id.
*/
static const char *const zSweepSchema =
  "CREATE TABLE IF NOT EXISTS sweeps(\n"
  "  sweep_id      INTEGER PRIMARY KEY,\n"
  "  scenario_name TEXT,\n"
  "  scenario_text TEXT,\n"
  "  scenario_path TEXT,\n"
  "  spec          TEXT,      -- JSON: mode, replicates, axes [{key, values}]\n"
  "  seed          INTEGER,   -- base seed of the scenario\n"
  "  n_tasks       INTEGER,   -- tasks of the whole sweep: n_points x replicates\n"
  "  n_points      INTEGER,   -- grid points\n"
  "  replicates    INTEGER,\n"
  "  shard_index   INTEGER,   -- this file holds shard shard_index/shard_count\n"
  "  shard_count   INTEGER,   -- (1/1: every task)\n"
  "  created_at    TEXT,      -- ISO-8601 UTC\n"
  "  version       TEXT       -- liqsim version that created the sweep\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS tasks(\n"
  "  sweep_id   INTEGER NOT NULL REFERENCES sweeps(sweep_id) ON DELETE CASCADE,\n"
  "  task_id    INTEGER NOT NULL, -- grid_index * replicates + replicate\n"
  "  run_id     INTEGER,          -- the run holding its results (status done)\n"
  "  replicate  INTEGER,\n"
  "  grid_index INTEGER,\n"
  "  params     TEXT,             -- JSON of the grid point's overrides\n"
  "  seed       INTEGER,          -- base seed; the streams derive from (seed, replicate)\n"
  "  path_seed  INTEGER,          -- liq_seed(seed, replicate, path stream)\n"
  "  book_seed  INTEGER,          -- liq_seed(seed, replicate, book stream)\n"
  "  status     TEXT NOT NULL CHECK(status IN ('pending','done','failed')),\n"
  "  error      TEXT,\n"
  "  PRIMARY KEY(sweep_id, task_id)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX IF NOT EXISTS runs_sweep_task ON runs(sweep_id, task_id);\n"
  "CREATE TABLE IF NOT EXISTS sweep_aggregates(\n"
  "  sweep_id                  INTEGER NOT NULL,\n"
  "  grid_index                INTEGER NOT NULL,\n"
  "  params                    TEXT,     -- JSON of the grid point's overrides\n"
  "  n                         INTEGER,  -- done tasks (replicates) at the point\n"
  "  bad_debt_mean             REAL,\n"
  "  bad_debt_q50              REAL,     -- quantiles: nearest rank, x_(ceil(p n))\n"
  "  bad_debt_q95              REAL,     -- = VaR 95 % of bad debt\n"
  "  bad_debt_q99              REAL,\n"
  "  bad_debt_probability      REAL,     -- share of replicates with bad debt > 0\n"
  "  uncovered_loss_mean       REAL,\n"
  "  uncovered_loss_probability REAL,\n"
  "  liquidated_notional_mean  REAL,\n"
  "  liquidated_notional_q50   REAL,\n"
  "  liquidated_notional_q95   REAL,     -- = liquidations-at-risk 95 %\n"
  "  liquidated_notional_q99   REAL,\n"
  "  amplification_n           INTEGER,  -- replicates with a defined amplification\n"
  "  amplification_mean        REAL,\n"
  "  amplification_q50         REAL,\n"
  "  amplification_q95         REAL,\n"
  "  amplification_q99         REAL,\n"
  "  max_cascade_rounds_mean   REAL,\n"
  "  max_cascade_rounds_q50    REAL,\n"
  "  max_cascade_rounds_q95    REAL,\n"
  "  max_cascade_rounds_q99    REAL,\n"
  "  var95_bad_debt            REAL,     -- bad_debt_q95, by its risk name\n"
  "  lar95_liquidated_notional REAL,     -- liquidated_notional_q95\n"
  "  PRIMARY KEY(sweep_id, grid_index)\n"
  ") WITHOUT ROWID;\n";

struct liq_store {
  sqlite3 *db;                 /* the connection */
  char *zPath;                 /* database path, for error messages (owned) */
  int64_t iRun;                /* the active run, 0 if none */
  size_t nQuant;               /* cushion columns bound by pStep */
  size_t nPending;             /* rows written since the last commit */
  sqlite3_stmt *pStep;         /* INSERT INTO steps, for the active run */
  sqlite3_stmt *pLiq;          /* INSERT INTO liquidations */
  sqlite3_stmt *pAdl;          /* INSERT INTO adl */
  /* sweeps (see the Sweeps section) */
  int inTask;                  /* writing a sweep task: one transaction, no batch commits */
  size_t nSweepQuant;          /* cushion columns of the sweep's scenario */
  char aSweepLabel[LIQ_MAX_QUANTILES][32];
};

/*
************************************************************************
** Helpers
************************************************************************
*/

/* Record the connection's current error as LIQ_DB.  'zWhat' says what
** was being done.  Call it right after the failing call: the message
** belongs to the connection and the next call overwrites it. */
static int db_error(sqlite3 *db, const char *zPath, const char *zWhat,
                    liq_err *err) {
  return liq_errf(err, LIQ_DB, zPath, 0, "%s: %s", zWhat,
                  db ? sqlite3_errmsg(db) : "out of memory");
}

/* Run one or more statements that return nothing of interest. */
static int exec_sql(sqlite3 *db, const char *zPath, const char *zSql,
                    const char *zWhat, liq_err *err) {
  char *zErr = NULL;
  int rc = sqlite3_exec(db, zSql, NULL, NULL, &zErr);
  if (rc != SQLITE_OK) {
    liq_errf(err, LIQ_DB, zPath, 0, "%s: %s", zWhat,
             zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return LIQ_DB;
  }
  return LIQ_OK;
}

static int prepare(sqlite3 *db, const char *zPath, const char *zSql,
                   unsigned int flags, sqlite3_stmt **ppStmt /* OUT */,
                   const char *zWhat, liq_err *err) {
  *ppStmt = NULL;
  if (sqlite3_prepare_v3(db, zSql, -1, flags, ppStmt, NULL) != SQLITE_OK) {
    db_error(db, zPath, zWhat, err);
    sqlite3_finalize(*ppStmt);
    *ppStmt = NULL;
    return LIQ_DB;
  }
  return LIQ_OK;
}

/* Step a statement that returns no rows, then reset it for reuse. */
static int step_done(sqlite3 *db, const char *zPath, sqlite3_stmt *pStmt,
                     const char *zWhat, liq_err *err) {
  int rc = sqlite3_step(pStmt);
  if (rc != SQLITE_DONE) {
    db_error(db, zPath, zWhat, err);    /* before reset: keep the message */
    sqlite3_reset(pStmt);
    sqlite3_clear_bindings(pStmt);
    return LIQ_DB;
  }
  sqlite3_reset(pStmt);
  sqlite3_clear_bindings(pStmt);
  return LIQ_OK;
}

/* NaN is stored as NULL: "not defined" (no open position, no drawdown). */
static int bind_double(sqlite3_stmt *pStmt, int i, double v) {
  if (isnan(v)) return sqlite3_bind_null(pStmt, i);
  return sqlite3_bind_double(pStmt, i, v);
}

static int bind_size(sqlite3_stmt *pStmt, int i, size_t v) {
  return sqlite3_bind_int64(pStmt, i, (sqlite3_int64)v);
}

/* Bind a string or NULL; SQLite copies it. */
static int bind_text(sqlite3_stmt *pStmt, int i, const char *z) {
  if (z == NULL) return sqlite3_bind_null(pStmt, i);
  return sqlite3_bind_text(pStmt, i, z, -1, SQLITE_TRANSIENT);
}

/* A REAL column read back, NULL as NaN. */
static double column_double(sqlite3_stmt *pStmt, int i) {
  if (sqlite3_column_type(pStmt, i) == SQLITE_NULL) return NAN;
  return sqlite3_column_double(pStmt, i);
}

static const char *column_text(sqlite3_stmt *pStmt, int i, const char *zNull) {
  const unsigned char *z = sqlite3_column_text(pStmt, i);
  return z ? (const char *)z : zNull;
}

/* True when a quantile label can be pasted into an identifier. */
static int label_is_identifier(const char *z) {
  if (*z == '\0') return 0;
  for (; *z; z++) {
    char c = *z;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

/*
** Fill aLabel[0..n) with the cushion column suffixes of the scenario's
** quantiles.  Two quantiles that share a label would share a column:
** LIQ_INPUT.
*/
static int quantile_labels(const liq_scenario *sc, char aLabel[][32],
                           liq_err *err) {
  size_t i, j;
  for (i = 0; i < sc->stats.n_quantiles; i++) {
    liq_quantile_label(sc->stats.quantiles[i], aLabel[i], sizeof aLabel[i]);
    if (!label_is_identifier(aLabel[i]))
      return liq_errf(err, LIQ_INPUT, sc->path, 0,
                      "quantile %g gives an unusable column label \"%s\"",
                      sc->stats.quantiles[i], aLabel[i]);
    for (j = 0; j < i; j++) {
      if (strcmp(aLabel[i], aLabel[j]) == 0)
        return liq_errf(err, LIQ_INPUT, sc->path, 0,
                        "quantiles %g and %g share the column cushion_%s",
                        sc->stats.quantiles[j], sc->stats.quantiles[i],
                        aLabel[i]);
    }
  }
  return LIQ_OK;
}

/*
** Add a steps.cushion_<label> REAL column for each label that is not
** there yet (PRAGMA table_info).  Runs inside the caller's write
** transaction, so two processes cannot both add the same column.
*/
static int ensure_quantile_columns(liq_store *st, char aLabel[][32], size_t n,
                                   liq_err *err) {
  sqlite3_stmt *pInfo = NULL;
  char **azHave = NULL;
  size_t nHave = 0, nAlloc = 0, i, j;
  int rc = LIQ_OK, src;

  rc = prepare(st->db, st->zPath, "PRAGMA table_info(steps)", 0, &pInfo,
               "read the steps columns", err);
  if (rc != LIQ_OK) return rc;
  while ((src = sqlite3_step(pInfo)) == SQLITE_ROW) {
    const char *zName = column_text(pInfo, 1, "");
    size_t len = strlen(zName);
    if (nHave == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 64;
      char **azNew = realloc(azHave, nNew * sizeof *azNew);
      if (azNew == NULL) {
        rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
        goto done;
      }
      azHave = azNew;
      nAlloc = nNew;
    }
    azHave[nHave] = malloc(len + 1);
    if (azHave[nHave] == NULL) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto done;
    }
    memcpy(azHave[nHave++], zName, len + 1);
  }
  if (src != SQLITE_DONE) {
    rc = db_error(st->db, st->zPath, "read the steps columns", err);
    goto done;
  }
  sqlite3_finalize(pInfo);
  pInfo = NULL;

  for (i = 0; i < 2 * n; i++) {
    char zCol[48], zSql[160];
    int found = 0;
    if (snprintf(zCol, sizeof zCol, "%s_%s", i < n ? "cushion" : "distance",
                 aLabel[i % n]) >= (int)sizeof zCol) {
      rc = liq_errf(err, LIQ_INPUT, st->zPath, 0, "quantile label '%s' too long",
                    aLabel[i % n]);
      goto done;
    }
    for (j = 0; j < nHave && !found; j++)
      found = sqlite3_stricmp(azHave[j], zCol) == 0;
    if (found) continue;
    snprintf(zSql, sizeof zSql, "ALTER TABLE steps ADD COLUMN \"%s\" REAL",
             zCol);
    rc = exec_sql(st->db, st->zPath, zSql, "add a quantile column", err);
    if (rc != LIQ_OK) goto done;
  }

done:
  sqlite3_finalize(pInfo);
  for (i = 0; i < nHave; i++) free(azHave[i]);
  free(azHave);
  return rc;
}

/* Prepare the steps INSERT for exactly these cushion columns. */
static int prepare_step_insert(liq_store *st, char aLabel[][32], size_t n,
                               liq_err *err) {
  /* fixed part + ',"cushion_<label>"' per quantile + the placeholders */
  char zSql[4096];
  size_t len, i, nCol = LIQ_STEP_N_FIXED + 2 * n;

  len = (size_t)snprintf(zSql, sizeof zSql,
                         "INSERT INTO steps(" LIQ_STEP_FIXED_COLUMNS);
  for (i = 0; i < n && len < sizeof zSql; i++)
    len += (size_t)snprintf(zSql + len, sizeof zSql - len,
                            ", \"cushion_%s\"", aLabel[i]);
  for (i = 0; i < n && len < sizeof zSql; i++)
    len += (size_t)snprintf(zSql + len, sizeof zSql - len,
                            ", \"distance_%s\"", aLabel[i]);
  if (len < sizeof zSql)
    len += (size_t)snprintf(zSql + len, sizeof zSql - len, ") VALUES(?");
  for (i = 1; i < nCol && len < sizeof zSql; i++)
    len += (size_t)snprintf(zSql + len, sizeof zSql - len, ",?");
  if (len < sizeof zSql)
    len += (size_t)snprintf(zSql + len, sizeof zSql - len, ")");
  assert(len < sizeof zSql);            /* 16 labels of < 32 chars fit */
  if (len >= sizeof zSql)
    return liq_errf(err, LIQ_DB, st->zPath, 0, "steps INSERT too long");
  return prepare(st->db, st->zPath, zSql, SQLITE_PREPARE_PERSISTENT,
                 &st->pStep, "prepare the steps INSERT", err);
}

/* Prepare the steps and liquidations INSERTs of a run. */
static int prepare_row_statements(liq_store *st, char aLabel[][32], size_t n,
                                  liq_err *err) {
  int rc = prepare_step_insert(st, aLabel, n, err);
  if (rc == LIQ_OK)
    rc = prepare(st->db, st->zPath,
                 "INSERT INTO liquidations(run_id, step, round, position_id,"
                 " side, qty, price, trigger_price, liquidation_price,"
                 " bankruptcy_price, equity, loss, fee, returned, share)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 SQLITE_PREPARE_PERSISTENT, &st->pLiq,
                 "prepare the liquidations INSERT", err);
  if (rc == LIQ_OK)
    rc = prepare(st->db, st->zPath,
                 "INSERT INTO adl(run_id, step, round, position_id, side, qty,"
                 " price, share, haircut, rank_score)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?)",
                 SQLITE_PREPARE_PERSISTENT, &st->pAdl,
                 "prepare the adl INSERT", err);
  return rc;
}

static void finalize_row_statements(liq_store *st) {
  sqlite3_finalize(st->pStep);
  sqlite3_finalize(st->pLiq);
  sqlite3_finalize(st->pAdl);
  st->pStep = NULL;
  st->pLiq = NULL;
  st->pAdl = NULL;
  st->nQuant = 0;
}

/* Roll back the open transaction, if SQLite has not done so already. */
static void rollback_quietly(liq_store *st) {
  if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
** Mark the active run failed: roll back the pending batch, delete the
** rows of committed batches and set status, error and finished_at, in one
** transaction.
*/
static int mark_failed(liq_store *st, const char *zWhy, liq_err *err) {
  static const char *const azSql[] = {
    "DELETE FROM steps WHERE run_id = ?1",
    "DELETE FROM liquidations WHERE run_id = ?1",
    "DELETE FROM adl WHERE run_id = ?1",
    "UPDATE runs SET status = 'failed', error = ?2, finished_at = "
      LIQ_SQL_NOW " WHERE run_id = ?1",
  };
  sqlite3_stmt *pStmt = NULL;
  size_t i;
  int rc;

  rollback_quietly(st);
  st->nPending = 0;
  rc = exec_sql(st->db, st->zPath, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) return rc;
  for (i = 0; i < sizeof azSql / sizeof azSql[0]; i++) {
    rc = prepare(st->db, st->zPath, azSql[i], 0, &pStmt, "mark the run failed",
                 err);
    if (rc != LIQ_OK) goto fail;
    sqlite3_bind_int64(pStmt, 1, st->iRun);
    if (sqlite3_bind_parameter_count(pStmt) >= 2)
      bind_text(pStmt, 2, zWhy);
    rc = step_done(st->db, st->zPath, pStmt, "mark the run failed", err);
    sqlite3_finalize(pStmt);
    pStmt = NULL;
    if (rc != LIQ_OK) goto fail;
  }
  rc = exec_sql(st->db, st->zPath, "COMMIT", "commit the failed run", err);
  if (rc != LIQ_OK) goto fail;
  return LIQ_OK;

fail:
  rollback_quietly(st);
  return rc;
}

/* Open the batch transaction if none is open. */
static int row_begin(liq_store *st, liq_err *err) {
  if (st->iRun == 0)
    return liq_errf(err, LIQ_USAGE, st->zPath, 0,
                    "no active run (call liq_store_begin_run first)");
  if (!sqlite3_get_autocommit(st->db)) return LIQ_OK;
  st->nPending = 0;
  return exec_sql(st->db, st->zPath, "BEGIN IMMEDIATE", "begin a row batch",
                  err);
}

/* Count a written row; commit when the batch is full. */
static int row_end(liq_store *st, liq_err *err) {
  if (++st->nPending < LIQ_STORE_BATCH || st->inTask) return LIQ_OK;
  st->nPending = 0;
  return exec_sql(st->db, st->zPath, "COMMIT", "commit a row batch", err);
}

/*
************************************************************************
** Writing
************************************************************************
*/

int liq_store_open(const char *path, liq_store **out, liq_err *err) {
  liq_store *st = NULL;
  sqlite3_stmt *pVer = NULL;
  size_t len;
  int rc;

  *out = NULL;
  st = calloc(1, sizeof *st);
  len = strlen(path);
  if (st == NULL || (st->zPath = malloc(len + 1)) == NULL) {
    free(st);
    return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory");
  }
  memcpy(st->zPath, path, len + 1);

  if (sqlite3_open_v2(path, &st->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                      NULL) != SQLITE_OK) {
    rc = db_error(st->db, path, "cannot open database", err);
    goto fail;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, LIQ_STORE_BUSY_MS);

  /* Connection settings: outside any transaction. */
  rc = exec_sql(st->db, path,
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;",
                "configure the database", err);
  if (rc != LIQ_OK) goto fail;

  rc = exec_sql(st->db, path, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) goto fail;
  rc = exec_sql(st->db, path, zSchema, "create the schema", err);
  if (rc == LIQ_OK)
    rc = exec_sql(st->db, path, zSchema2, "create the schema", err);
  if (rc == LIQ_OK)
    rc = exec_sql(st->db, path, zSweepSchema, "create the sweep schema", err);
  if (rc != LIQ_OK) goto fail;
  rc = prepare(st->db, path,
               "SELECT CAST(value AS INTEGER) FROM meta"
               " WHERE key = 'schema_version'",
               0, &pVer, "read the schema version", err);
  if (rc != LIQ_OK) goto fail;
  if (sqlite3_step(pVer) == SQLITE_ROW &&
      sqlite3_column_int(pVer, 0) != LIQ_STORE_SCHEMA_VERSION) {
    int v = sqlite3_column_int(pVer, 0);
    rc = liq_errf(err, LIQ_DB, path, 0,
                  "schema version %d is %s than this liqsim's (%d): write to a "
                  "new database", v, v > LIQ_STORE_SCHEMA_VERSION ? "newer" : "older",
                  LIQ_STORE_SCHEMA_VERSION);
    goto fail;
  }
  sqlite3_finalize(pVer);
  pVer = NULL;
  rc = exec_sql(st->db, path, "COMMIT", "commit the schema", err);
  if (rc != LIQ_OK) goto fail;

  *out = st;
  return LIQ_OK;

fail:
  sqlite3_finalize(pVer);
  liq_store_close(st);
  return rc;
}

void liq_store_close(liq_store *st) {
  if (st == NULL) return;
  finalize_row_statements(st);
  /* An open batch is rolled back by the close; the run stays 'running'
  ** like the run of a killed process. */
  sqlite3_close_v2(st->db);
  free(st->zPath);
  free(st);
}

int liq_store_begin_run(liq_store *st, const liq_scenario *sc, uint64_t seed,
                        int64_t *run_id, liq_err *err) {
  char aLabel[LIQ_MAX_QUANTILES][32];
  sqlite3_stmt *pRun = NULL;
  size_t nQuant = sc->stats.n_quantiles;
  int rc;

  *run_id = 0;
  if (st->iRun != 0)
    return liq_errf(err, LIQ_USAGE, st->zPath, 0,
                    "run %lld is still active", (long long)st->iRun);
  if (nQuant > LIQ_MAX_QUANTILES)
    return liq_errf(err, LIQ_INPUT, sc->path, 0,
                    "%zu quantiles (at most %d)", nQuant, LIQ_MAX_QUANTILES);
  rc = quantile_labels(sc, aLabel, err);
  if (rc != LIQ_OK) return rc;
  finalize_row_statements(st);

  /* The runs row and any new columns, committed together at once. */
  rc = exec_sql(st->db, st->zPath, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) return rc;
  rc = ensure_quantile_columns(st, aLabel, nQuant, err);
  if (rc != LIQ_OK) goto fail;
  rc = prepare(st->db, st->zPath,
               "INSERT INTO runs(scenario_name, seed, params, scenario_text,"
               " scenario_path, version, status, started_at, steps, positions)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'running', " LIQ_SQL_NOW
               ", ?7, ?8)",
               0, &pRun, "prepare the runs INSERT", err);
  if (rc != LIQ_OK) goto fail;
  bind_text(pRun, 1, sc->name);
  /* seeds >= 2^63 keep their bit pattern (read back as negative) */
  sqlite3_bind_int64(pRun, 2, (sqlite3_int64)seed);
  bind_text(pRun, 3, sc->params_json ? sc->params_json : "{}");
  bind_text(pRun, 4, sc->text);
  bind_text(pRun, 5, sc->path[0] ? sc->path : NULL);
  bind_text(pRun, 6, LIQ_VERSION);
  bind_size(pRun, 7, sc->steps);
  bind_size(pRun, 8, sc->book.positions);
  rc = step_done(st->db, st->zPath, pRun, "insert the run", err);
  sqlite3_finalize(pRun);
  pRun = NULL;
  if (rc != LIQ_OK) goto fail;
  st->iRun = sqlite3_last_insert_rowid(st->db);
  rc = exec_sql(st->db, st->zPath, "COMMIT", "commit the run", err);
  if (rc != LIQ_OK) {
    st->iRun = 0;
    goto fail;
  }

  /* The row statements.  A failure here leaves a committed runs row:
  ** mark it failed so nothing stays 'running'. */
  rc = prepare_row_statements(st, aLabel, nQuant, err);
  if (rc != LIQ_OK) {
    mark_failed(st, err ? err->msg : "cannot prepare statements", NULL);
    finalize_row_statements(st);
    st->iRun = 0;
    return rc;
  }
  st->nQuant = nQuant;
  st->nPending = 0;
  *run_id = st->iRun;
  return LIQ_OK;

fail:
  sqlite3_finalize(pRun);
  rollback_quietly(st);
  return rc;
}

int liq_store_step(liq_store *st, const liq_step_row *row, liq_err *err) {
  sqlite3_stmt *p = st->pStep;
  size_t i;
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;

  sqlite3_bind_int64(p, 1, st->iRun);
  bind_size(p, 2, row->step);
  sqlite3_bind_int64(p, 3, row->t_ms);
  bind_double(p, 4, row->price);
  bind_double(p, 5, row->price_exogenous);
  bind_double(p, 6, row->price_low);
  bind_double(p, 7, row->price_high);
  bind_size(p, 8, row->liquidations);
  bind_size(p, 9, row->liquidations_long);
  bind_size(p, 10, row->liquidations_short);
  bind_double(p, 11, row->liquidated_notional);
  sqlite3_bind_int(p, 12, row->cascade_rounds);
  bind_size(p, 13, row->margin_calls);
  bind_double(p, 14, row->insurance_fund);
  bind_double(p, 15, row->fees);
  bind_double(p, 16, row->bad_debt);
  bind_double(p, 17, row->uncovered_loss);
  bind_double(p, 18, row->open_interest_long);
  bind_double(p, 19, row->open_interest_short);
  bind_size(p, 20, row->open_long);
  bind_size(p, 21, row->open_short);
  bind_size(p, 22, row->partial_liquidations);
  bind_double(p, 23, row->funding);
  bind_double(p, 24, row->funding_short);
  bind_size(p, 25, row->topups);
  bind_double(p, 26, row->topup_collateral);
  bind_size(p, 27, row->adl_count);
  bind_double(p, 28, row->adl_notional);
  bind_double(p, 29, row->haircut);
  /* A row with fewer quantiles than the scenario leaves the rest NULL. */
  for (i = 0; i < st->nQuant && i < row->n_quantiles; i++) {
    bind_double(p, LIQ_STEP_N_FIXED + 1 + (int)i, row->cushion[i]);
    bind_double(p, LIQ_STEP_N_FIXED + 1 + (int)(st->nQuant + i), row->distance[i]);
  }

  rc = step_done(st->db, st->zPath, p, "insert a step row", err);
  if (rc != LIQ_OK) return rc;
  return row_end(st, err);
}

int liq_store_liquidation(liq_store *st, const liq_liquidation_row *row,
                          liq_err *err) {
  sqlite3_stmt *p = st->pLiq;
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;

  sqlite3_bind_int64(p, 1, st->iRun);
  bind_size(p, 2, row->step);
  sqlite3_bind_int(p, 3, row->round);
  bind_size(p, 4, row->position_id);
  sqlite3_bind_text(p, 5, row->side > 0 ? "long" : "short", -1, SQLITE_STATIC);
  bind_double(p, 6, row->qty);
  bind_double(p, 7, row->price);
  bind_double(p, 8, row->trigger_price);
  bind_double(p, 9, row->liquidation_price);
  bind_double(p, 10, row->bankruptcy_price);
  bind_double(p, 11, row->equity);
  bind_double(p, 12, row->loss);
  bind_double(p, 13, row->fee);
  bind_double(p, 14, row->returned);
  bind_double(p, 15, row->share);

  rc = step_done(st->db, st->zPath, p, "insert a liquidation row", err);
  if (rc != LIQ_OK) return rc;
  return row_end(st, err);
}

int liq_store_adl(liq_store *st, const liq_adl_row *row, liq_err *err) {
  sqlite3_stmt *p = st->pAdl;
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;

  sqlite3_bind_int64(p, 1, st->iRun);
  bind_size(p, 2, row->step);
  sqlite3_bind_int(p, 3, row->round);
  if (row->position_id == (size_t)-1) {
    sqlite3_bind_null(p, 4);
    sqlite3_bind_text(p, 5, "all", -1, SQLITE_STATIC);
  } else {
    bind_size(p, 4, row->position_id);
    sqlite3_bind_text(p, 5, row->side > 0 ? "long" : "short", -1, SQLITE_STATIC);
  }
  bind_double(p, 6, row->qty);
  bind_double(p, 7, row->price);
  bind_double(p, 8, row->share);
  bind_double(p, 9, row->haircut);
  bind_double(p, 10, row->rank_score);

  rc = step_done(st->db, st->zPath, p, "insert an adl row", err);
  if (rc != LIQ_OK) return rc;
  return row_end(st, err);
}

int liq_store_finish_run(liq_store *st, const liq_summary *sm, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = row_begin(st, err);            /* the last batch, or a new one */
  if (rc != LIQ_OK) return rc;

  rc = prepare(st->db, st->zPath,
               "INSERT INTO summary(run_id, positions, liquidated,"
               " liquidated_long, liquidated_short, liquidated_notional,"
               " margin_calls, bad_debt, uncovered_loss, fees,"
               " insurance_fund_start, insurance_fund_end, insurance_fund_min,"
               " adl_notional, max_cascade_rounds, start_price, min_price,"
               " min_price_exogenous, max_price, max_price_exogenous,"
               " drawdown, drawdown_exogenous, amplification, steps,"
               " collateral, pnl_closed, pnl_open, returned, open_equity,"
               " partial_liquidations, topups, topup_collateral, funding_long,"
               " funding_short, haircut, adl_count, first_adl_step)"
               " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
               "?,?,?,?,?,?,?,?)",
               0, &p, "prepare the summary INSERT", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, st->iRun);
  bind_size(p, 2, sm->positions);
  bind_size(p, 3, sm->liquidated);
  bind_size(p, 4, sm->liquidated_long);
  bind_size(p, 5, sm->liquidated_short);
  bind_double(p, 6, sm->liquidated_notional);
  bind_size(p, 7, sm->margin_calls);
  bind_double(p, 8, sm->bad_debt);
  bind_double(p, 9, sm->uncovered_loss);
  bind_double(p, 10, sm->fees);
  bind_double(p, 11, sm->insurance_fund_start);
  bind_double(p, 12, sm->insurance_fund_end);
  bind_double(p, 13, sm->insurance_fund_min);
  bind_double(p, 14, sm->adl_notional);
  sqlite3_bind_int(p, 15, sm->max_cascade_rounds);
  bind_double(p, 16, sm->start_price);
  bind_double(p, 17, sm->min_price);
  bind_double(p, 18, sm->min_price_exogenous);
  bind_double(p, 19, sm->max_price);
  bind_double(p, 20, sm->max_price_exogenous);
  bind_double(p, 21, sm->drawdown);
  bind_double(p, 22, sm->drawdown_exogenous);
  bind_double(p, 23, sm->amplification);
  bind_size(p, 24, sm->steps);
  bind_double(p, 25, sm->collateral);
  bind_double(p, 26, sm->pnl_closed);
  bind_double(p, 27, sm->pnl_open);
  bind_double(p, 28, sm->returned);
  bind_double(p, 29, sm->open_equity);
  bind_size(p, 30, sm->partial_liquidations);
  bind_size(p, 31, sm->topups);
  bind_double(p, 32, sm->topup_collateral);
  bind_double(p, 33, sm->funding_long);
  bind_double(p, 34, sm->funding_short);
  bind_double(p, 35, sm->haircut);
  bind_size(p, 36, sm->adl_count);
  if (sm->first_adl_step < 0) sqlite3_bind_null(p, 37);
  else sqlite3_bind_int64(p, 37, sm->first_adl_step);
  rc = step_done(st->db, st->zPath, p, "insert the summary", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) return rc;

  /* positions: the book's size (a book file's is known only now). */
  rc = prepare(st->db, st->zPath,
               "UPDATE runs SET status = 'done', finished_at = " LIQ_SQL_NOW ","
               " positions = ?2 WHERE run_id = ?1",
               0, &p, "prepare the runs UPDATE", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, st->iRun);
  bind_size(p, 2, sm->positions);
  rc = step_done(st->db, st->zPath, p, "finish the run", err);
  sqlite3_finalize(p);
  if (rc != LIQ_OK) return rc;

  rc = exec_sql(st->db, st->zPath, "COMMIT", "commit the run", err);
  if (rc != LIQ_OK) return rc;
  /* Done: the run is no longer active.  On any failure above the run
  ** stays active and the caller may liq_store_fail_run() it. */
  st->iRun = 0;
  st->nPending = 0;
  finalize_row_statements(st);
  return LIQ_OK;
}

int liq_store_fail_run(liq_store *st, const char *why, liq_err *err) {
  int rc;
  if (st->iRun == 0)
    return liq_errf(err, LIQ_USAGE, st->zPath, 0, "no active run to fail");
  rc = mark_failed(st, why ? why : "unknown error", err);
  st->iRun = 0;
  finalize_row_statements(st);
  return rc;
}

/*
** The sink.  Rows are filtered here, so the engine need not know the
** storage settings.
*/
static int sink_step(void *ud, const liq_step_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  size_t every;
  if (!ctx->sc->stats.steps) return LIQ_OK;
  every = ctx->sc->stats.every > 1 ? (size_t)ctx->sc->stats.every : 1;
  if (row->step % every != 0 && row->step + 1 != ctx->n_steps) return LIQ_OK;
  return liq_store_step(ctx->st, row, err);
}

static int sink_liquidation(void *ud, const liq_liquidation_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  if (!ctx->sc->stats.events) return LIQ_OK;
  return liq_store_liquidation(ctx->st, row, err);
}

static int sink_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  if (!ctx->sc->stats.events) return LIQ_OK;
  return liq_store_adl(ctx->st, row, err);
}

liq_sink liq_store_sink(liq_store_sink_ctx *ctx) {
  liq_sink s;
  s.step = sink_step;
  s.liquidation = sink_liquidation;
  s.adl = sink_adl;
  s.ud = ctx;
  return s;
}

/*
************************************************************************
** Report
************************************************************************
*/

/*
** Format |v| with 'nDec' decimals and thousands separators into z:
** 1234567.891, 2 -> "1,234,567.89".  Huge values use exponent notation.
*/
static void fmt_grouped(char *z, size_t n, double v, int nDec) {
  char zNum[40];
  const char *zSign = v < 0 ? "-" : "";
  size_t nInt, i, o = 0;
  char aOut[48];

  if (isnan(v)) {
    snprintf(z, n, "n/a");
    return;
  }
  if (!isfinite(v) || fabs(v) >= 1e18) {
    snprintf(z, n, "%.3e", v);
    return;
  }
  snprintf(zNum, sizeof zNum, "%.*f", nDec, fabs(v));
  if (strtod(zNum, NULL) == 0.0) zSign = "";      /* no "-0.00" */
  nInt = strcspn(zNum, ".");
  for (i = 0; i < nInt; i++) {
    if (i > 0 && (nInt - i) % 3 == 0) aOut[o++] = ',';
    aOut[o++] = zNum[i];
  }
  aOut[o] = '\0';
  snprintf(z, n, "%s%s%s", zSign, aOut, zNum + nInt);
}

/* Money: "$1,234,567" from $100,000 up, else with cents. */
static void fmt_money(char *z, size_t n, double v) {
  char zNum[96];
  int nDec = fabs(v) >= 1e5 ? 0 : 2;
  int neg = v < 0 && floor(fabs(v) * (nDec ? 100.0 : 1.0) + 0.5) > 0;
  if (isnan(v)) {
    snprintf(z, n, "n/a");
    return;
  }
  fmt_grouped(zNum, sizeof zNum, fabs(v), nDec);
  snprintf(z, n, "%s$%s", neg ? "-" : "", zNum);
}

/* A price: grouped with 2 decimals from 1,000 up, 4 from 1, else 6
** significant digits. */
static void fmt_price(char *z, size_t n, double v) {
  if (!isnan(v) && fabs(v) < 1.0 && v != 0.0)
    snprintf(z, n, "%.6g", v);
  else
    fmt_grouped(z, n, v, fabs(v) >= 1000.0 ? 2 : 4);
}

static void fmt_count(char *z, size_t n, sqlite3_int64 v) {
  fmt_grouped(z, n, (double)v, 0);
}

static void fmt_percent(char *z, size_t n, double fraction) {
  if (isnan(fraction)) snprintf(z, n, "n/a");
  else snprintf(z, n, "%.2f%%", 100.0 * fraction);
}

/* Columns of the summary SELECT in report_summary(). */
enum {
  S_POSITIONS, S_LIQUIDATED, S_LIQ_LONG, S_LIQ_SHORT, S_NOTIONAL,
  S_MARGIN_CALLS, S_BAD_DEBT, S_UNCOVERED, S_FEES, S_FUND_START,
  S_FUND_END, S_FUND_MIN, S_ADL, S_ROUNDS, S_START_PRICE, S_MIN_PRICE,
  S_MIN_PRICE_X, S_MAX_PRICE, S_MAX_PRICE_X, S_DRAWDOWN, S_DRAWDOWN_X,
  S_AMPLIFICATION, S_STEPS, S_PARTIAL, S_TOPUPS, S_TOPUP_COLL, S_FUND_LONG,
  S_FUND_SHORT, S_HAIRCUT, S_ADL_COUNT, S_FIRST_ADL
};

#define LIQ_REPORT_LABEL "  %-25s"

static int report_summary(sqlite3 *db, const char *zPath, int64_t iRun,
                          int *pFound /* OUT */, FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  char a[160], b[160], c[160];
  sqlite3_int64 nPos, nLiq;
  int rc, src;

  *pFound = 0;
  rc = prepare(db, zPath,
               "SELECT positions, liquidated, liquidated_long,"
               " liquidated_short, liquidated_notional, margin_calls,"
               " bad_debt, uncovered_loss, fees, insurance_fund_start,"
               " insurance_fund_end, insurance_fund_min, adl_notional,"
               " max_cascade_rounds, start_price, min_price,"
               " min_price_exogenous, max_price, max_price_exogenous,"
               " drawdown, drawdown_exogenous, amplification, steps,"
               " partial_liquidations, topups, topup_collateral, funding_long,"
               " funding_short, haircut, adl_count, first_adl_step"
               " FROM summary WHERE run_id = ?1",
               0, &p, "read the summary", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, iRun);
  src = sqlite3_step(p);
  if (src == SQLITE_DONE) {
    sqlite3_finalize(p);
    return LIQ_OK;
  }
  if (src != SQLITE_ROW) {
    rc = db_error(db, zPath, "read the summary", err);
    sqlite3_finalize(p);
    return rc;
  }
  *pFound = 1;

  nPos = sqlite3_column_int64(p, S_POSITIONS);
  nLiq = sqlite3_column_int64(p, S_LIQUIDATED);
  fmt_count(a, sizeof a, sqlite3_column_int64(p, S_STEPS));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "steps", a);
  fmt_count(a, sizeof a, nPos);
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "positions", a);
  fmt_count(a, sizeof a, nLiq);
  fmt_count(b, sizeof b, sqlite3_column_int64(p, S_LIQ_LONG));
  fmt_count(c, sizeof c, sqlite3_column_int64(p, S_LIQ_SHORT));
  fprintf(out, LIQ_REPORT_LABEL "%s (long %s, short %s)", "liquidated", a, b,
          c);
  if (nPos > 0) {
    fmt_percent(a, sizeof a, (double)nLiq / (double)nPos);
    fprintf(out, ", %s of positions", a);
  }
  fputc('\n', out);
  fmt_money(a, sizeof a, column_double(p, S_NOTIONAL));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "liquidated notional", a);
  fmt_count(a, sizeof a, sqlite3_column_int64(p, S_MARGIN_CALLS));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "margin calls (peak)", a);
  fprintf(out, LIQ_REPORT_LABEL "%d\n", "cascade rounds (max)",
          sqlite3_column_int(p, S_ROUNDS));
  fmt_money(a, sizeof a, column_double(p, S_BAD_DEBT));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "bad debt", a);
  fmt_money(a, sizeof a, column_double(p, S_UNCOVERED));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "uncovered loss", a);
  if (sqlite3_column_int64(p, S_PARTIAL) > 0) {
    fmt_count(a, sizeof a, sqlite3_column_int64(p, S_PARTIAL));
    fprintf(out, LIQ_REPORT_LABEL "%s\n", "partial liquidations", a);
  }
  if (sqlite3_column_int64(p, S_TOPUPS) > 0) {
    fmt_count(a, sizeof a, sqlite3_column_int64(p, S_TOPUPS));
    fmt_money(b, sizeof b, column_double(p, S_TOPUP_COLL));
    fprintf(out, LIQ_REPORT_LABEL "%s, adding %s\n", "top-ups", a, b);
  }
  if (column_double(p, S_FUND_LONG) != 0.0 || column_double(p, S_FUND_SHORT) != 0.0) {
    fmt_money(a, sizeof a, column_double(p, S_FUND_LONG));
    fmt_money(b, sizeof b, column_double(p, S_FUND_SHORT));
    fprintf(out, LIQ_REPORT_LABEL "paid by longs %s, by shorts %s\n", "funding", a, b);
  }
  fmt_money(a, sizeof a, column_double(p, S_ADL));
  if (sqlite3_column_type(p, S_FIRST_ADL) == SQLITE_NULL) {
    fprintf(out, LIQ_REPORT_LABEL "%s\n", "ADL notional", a);
  } else {
    fmt_count(b, sizeof b, sqlite3_column_int64(p, S_ADL_COUNT));
    fmt_money(c, sizeof c, column_double(p, S_HAIRCUT));
    fprintf(out, LIQ_REPORT_LABEL "%s in %s closes, %s of profit taken, first at step %lld\n",
            "ADL notional", a, b, c, (long long)sqlite3_column_int64(p, S_FIRST_ADL));
  }
  fmt_money(a, sizeof a, column_double(p, S_FEES));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "fees", a);
  fmt_money(a, sizeof a, column_double(p, S_FUND_START));
  fmt_money(b, sizeof b, column_double(p, S_FUND_MIN));
  fmt_money(c, sizeof c, column_double(p, S_FUND_END));
  fprintf(out, LIQ_REPORT_LABEL "start %s, min %s, end %s\n",
          "insurance fund", a, b, c);
  fmt_price(a, sizeof a, column_double(p, S_START_PRICE));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "start price", a);
  fmt_price(a, sizeof a, column_double(p, S_MIN_PRICE));
  fmt_price(b, sizeof b, column_double(p, S_MAX_PRICE));
  fmt_percent(c, sizeof c, column_double(p, S_DRAWDOWN));
  fprintf(out, LIQ_REPORT_LABEL "min %s, max %s, drawdown %s\n",
          "price with impact", a, b, c);
  fmt_price(a, sizeof a, column_double(p, S_MIN_PRICE_X));
  fmt_price(b, sizeof b, column_double(p, S_MAX_PRICE_X));
  fmt_percent(c, sizeof c, column_double(p, S_DRAWDOWN_X));
  fprintf(out, LIQ_REPORT_LABEL "min %s, max %s, drawdown %s\n",
          "price exogenous", a, b, c);
  if (sqlite3_column_type(p, S_AMPLIFICATION) == SQLITE_NULL)
    fprintf(out, LIQ_REPORT_LABEL "n/a (no exogenous drawdown)\n",
            "amplification");
  else
    fprintf(out, LIQ_REPORT_LABEL "%.3fx\n", "amplification",
            sqlite3_column_double(p, S_AMPLIFICATION));
  sqlite3_finalize(p);
  return LIQ_OK;
}

/* Stored row counts and the steps with the most liquidations. */
static int report_rows(sqlite3 *db, const char *zPath, int64_t iRun,
                       FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  sqlite3_int64 nSteps = 0, nLiqs = 0;
  char a[160], b[160], c[160];
  int rc, src, nTop = 0;

  rc = prepare(db, zPath,
               "SELECT (SELECT count(*) FROM steps WHERE run_id = ?1),"
               " (SELECT count(*) FROM liquidations WHERE run_id = ?1)",
               0, &p, "count stored rows", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, iRun);
  if (sqlite3_step(p) != SQLITE_ROW) {
    rc = db_error(db, zPath, "count stored rows", err);
    sqlite3_finalize(p);
    return rc;
  }
  nSteps = sqlite3_column_int64(p, 0);
  nLiqs = sqlite3_column_int64(p, 1);
  sqlite3_finalize(p);
  p = NULL;
  fmt_count(a, sizeof a, nSteps);
  fmt_count(b, sizeof b, nLiqs);
  fprintf(out, LIQ_REPORT_LABEL "%s step rows, %s liquidation rows\n",
          "stored", a, b);
  if (nSteps == 0) return LIQ_OK;

  rc = prepare(db, zPath,
               "SELECT step, price, liquidations, liquidated_notional,"
               " cascade_rounds FROM steps"
               " WHERE run_id = ?1 AND liquidations > 0"
               " ORDER BY liquidations DESC, step LIMIT ?2",
               0, &p, "read the top steps", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, iRun);
  sqlite3_bind_int(p, 2, LIQ_STORE_REPORT_TOP);
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    if (nTop++ == 0)
      fprintf(out, "  steps with the most liquidations:\n"
                   "  %10s %16s %14s %20s %7s\n",
              "step", "price", "liquidations", "notional", "rounds");
    fmt_price(a, sizeof a, column_double(p, 1));
    fmt_count(b, sizeof b, sqlite3_column_int64(p, 2));
    fmt_money(c, sizeof c, column_double(p, 3));
    fprintf(out, "  %10lld %16s %14s %20s %7d\n",
            (long long)sqlite3_column_int64(p, 0), a, b, c,
            sqlite3_column_int(p, 4));
  }
  if (src != SQLITE_DONE) {
    rc = db_error(db, zPath, "read the top steps", err);
    sqlite3_finalize(p);
    return rc;
  }
  sqlite3_finalize(p);
  if (nTop == 0) fprintf(out, "  no stored step liquidated anything\n");
  return LIQ_OK;
}

int liq_store_report(const char *db, int64_t run_id, FILE *out,
                     liq_err *err) {
  sqlite3 *pDb = NULL;
  sqlite3_stmt *pRuns = NULL;
  int rc, src, nRun = 0;

  if (sqlite3_open_v2(db, &pDb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, db, 0, "cannot open database: %s",
                  pDb ? sqlite3_errmsg(pDb) : "out of memory");
    sqlite3_close_v2(pDb);
    return rc;
  }
  sqlite3_busy_timeout(pDb, LIQ_STORE_BUSY_MS);
  /* "file is not a database" and a missing runs table show up here. */
  rc = prepare(pDb, db,
               "SELECT run_id, scenario_name, seed, status, started_at,"
               " finished_at, params, error, version FROM runs"
               " WHERE ?1 = 0 OR run_id = ?1 ORDER BY run_id",
               0, &pRuns, "not a liqsim database", err);
  if (rc != LIQ_OK) goto done;
  sqlite3_bind_int64(pRuns, 1, run_id);

  while ((src = sqlite3_step(pRuns)) == SQLITE_ROW) {
    int64_t iRun = sqlite3_column_int64(pRuns, 0);
    const char *zStatus = column_text(pRuns, 3, "?");
    int found;
    if (nRun++ > 0) fputc('\n', out);
    fprintf(out, "run %lld: %s, seed %lld, %s (liqsim %s)\n", (long long)iRun,
            column_text(pRuns, 1, "?"),
            (long long)sqlite3_column_int64(pRuns, 2), zStatus,
            column_text(pRuns, 8, "?"));
    fprintf(out, "  started %s, finished %s\n", column_text(pRuns, 4, "-"),
            column_text(pRuns, 5, "-"));
    fprintf(out, "  params %s\n", column_text(pRuns, 6, "{}"));
    if (strcmp(zStatus, "failed") == 0)
      fprintf(out, "  error: %s\n", column_text(pRuns, 7, "(none recorded)"));

    rc = report_summary(pDb, db, iRun, &found, out, err);
    if (rc != LIQ_OK) goto done;
    if (!found) {
      if (strcmp(zStatus, "running") == 0)
        fprintf(out, "  no summary: the run is still running"
                     " (or its process was killed)\n");
      else
        fprintf(out, "  no summary: the run %s\n",
                strcmp(zStatus, "failed") == 0 ? "failed" : "stored none");
    }
    rc = report_rows(pDb, db, iRun, out, err);
    if (rc != LIQ_OK) goto done;
  }
  if (src != SQLITE_DONE) {
    rc = db_error(pDb, db, "read the runs", err);
    goto done;
  }
  if (nRun == 0) {
    if (run_id != 0) {
      rc = liq_errf(err, LIQ_USAGE, db, 0, "no run %lld in DB",
                    (long long)run_id);
      goto done;
    }
    fprintf(out, "no runs in %s\n", db);
  }
  if (ferror(out)) rc = liq_errf(err, LIQ_IO, NULL, 0, "cannot write the report");

done:
  sqlite3_finalize(pRuns);
  sqlite3_close_v2(pDb);
  return rc;
}

/*
************************************************************************
** Sweeps
**
** A sweep (liq_sweep.h) is a sweeps row, one tasks row per task of the
** file's shard, and one runs row (with its steps, liquidations and
** summary) per done task.  liq_store_task_write() writes a task's runs
** row, rows, summary and its tasks status 'done' in ONE transaction, so a
** killed process leaves each task either done with all its rows or
** without any.  The row statements and liq_store_finish_run() are shared
** with single runs ('inTask' keeps row_end() from committing mid-task).
************************************************************************
*/

static int sweep_begin(liq_store *st, liq_err *err) {
  return exec_sql(st->db, st->zPath, "BEGIN IMMEDIATE", "begin", err);
}

static int sweep_commit(liq_store *st, const char *zWhat, liq_err *err) {
  int rc = exec_sql(st->db, st->zPath, "COMMIT", zWhat, err);
  if (rc != LIQ_OK) rollback_quietly(st);
  return rc;
}

/* Run 'zSql' with ?1 = sweep id (and ?2 = 'zText', when given). */
static int sweep_exec1(liq_store *st, const char *zSql, int64_t iSweep,
                       const char *zText, const char *zWhat, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = prepare(st->db, st->zPath, zSql, 0, &p, zWhat, err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, iSweep);
  if (zText != NULL) bind_text(p, 2, zText);
  rc = step_done(st->db, st->zPath, p, zWhat, err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_last(liq_store *st, int64_t *sweep_id, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc;
  *sweep_id = 0;
  rc = prepare(st->db, st->zPath, "SELECT max(sweep_id) FROM sweeps", 0, &p,
               "find the last sweep", err);
  if (rc != LIQ_OK) return rc;
  if (sqlite3_step(p) == SQLITE_ROW) *sweep_id = sqlite3_column_int64(p, 0);
  else rc = db_error(st->db, st->zPath, "find the last sweep", err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_check(liq_store *st, int64_t sweep_id,
                          const liq_store_sweep *want, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc;
  rc = prepare(st->db, st->zPath,
               "SELECT scenario_text, spec, shard_index, shard_count"
               " FROM sweeps WHERE sweep_id = ?1",
               0, &p, "read the sweep", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  if (sqlite3_step(p) != SQLITE_ROW) {
    rc = liq_errf(err, LIQ_INPUT, st->zPath, 0, "no sweep %lld in the database",
                  (long long)sweep_id);
  } else if (strcmp(column_text(p, 0, ""), want->scenario_text) != 0) {
    rc = liq_errf(err, LIQ_INPUT, st->zPath, 0,
                  "sweep %lld was made from a different scenario text than "
                  "%s (resume with the same file, or sweep into a new --out)",
                  (long long)sweep_id, want->scenario_path);
  } else if (strcmp(column_text(p, 1, ""), want->spec) != 0) {
    rc = liq_errf(err, LIQ_INPUT, st->zPath, 0,
                  "sweep %lld has a different sweep spec than %s",
                  (long long)sweep_id, want->scenario_path);
  } else if ((size_t)sqlite3_column_int64(p, 2) != want->shard_k ||
             (size_t)sqlite3_column_int64(p, 3) != want->shard_n) {
    rc = liq_errf(err, LIQ_INPUT, st->zPath, 0,
                  "sweep %lld holds shard %lld/%lld, not %zu/%zu",
                  (long long)sweep_id, (long long)sqlite3_column_int64(p, 2),
                  (long long)sqlite3_column_int64(p, 3), want->shard_k,
                  want->shard_n);
  }
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_create(liq_store *st, const liq_store_sweep *sw,
                           int64_t *sweep_id, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc;
  *sweep_id = 0;
  rc = prepare(st->db, st->zPath,
               "INSERT INTO sweeps(scenario_name, scenario_text, scenario_path,"
               " spec, seed, n_tasks, n_points, replicates, shard_index,"
               " shard_count, created_at, version)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, " LIQ_SQL_NOW
               ", ?11)",
               0, &p, "prepare the sweeps INSERT", err);
  if (rc != LIQ_OK) return rc;
  bind_text(p, 1, sw->scenario_name);
  bind_text(p, 2, sw->scenario_text);
  bind_text(p, 3, sw->scenario_path);
  bind_text(p, 4, sw->spec);
  sqlite3_bind_int64(p, 5, (sqlite3_int64)sw->seed);
  bind_size(p, 6, sw->n_tasks);
  bind_size(p, 7, sw->n_points);
  bind_size(p, 8, sw->replicates);
  bind_size(p, 9, sw->shard_k);
  bind_size(p, 10, sw->shard_n);
  bind_text(p, 11, LIQ_VERSION);
  rc = step_done(st->db, st->zPath, p, "insert the sweep", err);
  sqlite3_finalize(p);
  if (rc == LIQ_OK) *sweep_id = sqlite3_last_insert_rowid(st->db);
  return rc;
}

int liq_store_sweep_add_tasks(liq_store *st, int64_t sweep_id,
                              const liq_store_task *t, size_t n,
                              liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t i;
  int rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = prepare(st->db, st->zPath,
               "INSERT OR IGNORE INTO tasks(sweep_id, task_id, replicate,"
               " grid_index, params, seed, path_seed, book_seed, status)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
               0, &p, "prepare the tasks INSERT", err);
  for (i = 0; i < n && rc == LIQ_OK; i++) {
    sqlite3_bind_int64(p, 1, sweep_id);
    bind_size(p, 2, t[i].task_id);
    bind_size(p, 3, t[i].replicate);
    bind_size(p, 4, t[i].grid_index);
    bind_text(p, 5, t[i].params);
    sqlite3_bind_int64(p, 6, (sqlite3_int64)t[i].seed);
    sqlite3_bind_int64(p, 7, (sqlite3_int64)t[i].path_seed);
    sqlite3_bind_int64(p, 8, (sqlite3_int64)t[i].book_seed);
    rc = step_done(st->db, st->zPath, p, "insert a task", err);
  }
  sqlite3_finalize(p);
  if (rc != LIQ_OK) {
    rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the tasks", err);
}

int liq_store_sweep_reset(liq_store *st, int64_t sweep_id, liq_err *err) {
  /* Runs of this sweep that are not the done run of their task: the rows
  ** of a task whose process died (none with one-transaction tasks, but a
  ** database written otherwise may hold some). */
#define LIQ_ORPHAN_RUNS                                                      \
  "SELECT run_id FROM runs WHERE sweep_id = ?1 AND run_id NOT IN"            \
  " (SELECT run_id FROM tasks WHERE sweep_id = ?1 AND status = 'done'"       \
  "  AND run_id IS NOT NULL)"
  static const char *const azSql[] = {
    "DELETE FROM steps WHERE run_id IN (" LIQ_ORPHAN_RUNS ")",
    "DELETE FROM liquidations WHERE run_id IN (" LIQ_ORPHAN_RUNS ")",
    "DELETE FROM adl WHERE run_id IN (" LIQ_ORPHAN_RUNS ")",
    "DELETE FROM summary WHERE run_id IN (" LIQ_ORPHAN_RUNS ")",
    "DELETE FROM runs WHERE run_id IN (" LIQ_ORPHAN_RUNS ")",
    "UPDATE tasks SET status = 'pending', run_id = NULL, error = NULL"
    " WHERE sweep_id = ?1 AND status <> 'done'",
  };
#undef LIQ_ORPHAN_RUNS
  size_t i;
  int rc = sweep_begin(st, err);
  for (i = 0; i < sizeof azSql / sizeof azSql[0] && rc == LIQ_OK; i++)
    rc = sweep_exec1(st, azSql[i], sweep_id, NULL, "clear unfinished tasks",
                     err);
  if (rc != LIQ_OK) {
    rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the cleared tasks", err);
}

int liq_store_sweep_pending(liq_store *st, int64_t sweep_id, size_t shard_k,
                            size_t shard_n, size_t **ids, size_t *n_pending,
                            size_t *n_shard, liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t n = 0, nAlloc = 0, nAll = 0;
  size_t *a = NULL;
  int rc, src;
  *ids = NULL;
  *n_pending = 0;
  *n_shard = 0;
  if (shard_n == 0) shard_k = shard_n = 1;
  rc = prepare(st->db, st->zPath,
               "SELECT task_id, status = 'done' FROM tasks"
               " WHERE sweep_id = ?1 AND task_id % ?2 = ?3 ORDER BY task_id",
               0, &p, "read the tasks", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  bind_size(p, 2, shard_n);
  bind_size(p, 3, shard_k - 1);
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    nAll++;
    if (sqlite3_column_int(p, 1)) continue;
    if (n == nAlloc) {
      size_t nNew = nAlloc ? 2 * nAlloc : 256;
      size_t *aNew = realloc(a, nNew * sizeof *aNew);
      if (aNew == NULL) {
        rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
        break;
      }
      a = aNew;
      nAlloc = nNew;
    }
    a[n++] = (size_t)sqlite3_column_int64(p, 0);
  }
  if (rc == LIQ_OK && src != SQLITE_DONE)
    rc = db_error(st->db, st->zPath, "read the tasks", err);
  sqlite3_finalize(p);
  if (rc != LIQ_OK) {
    free(a);
    return rc;
  }
  *ids = a;
  *n_pending = n;
  *n_shard = nAll;
  return LIQ_OK;
}

int liq_store_sweep_prepare(liq_store *st, const liq_scenario *sc,
                            liq_err *err) {
  size_t nQuant = sc->stats.n_quantiles;
  int rc;
  if (nQuant > LIQ_MAX_QUANTILES)
    return liq_errf(err, LIQ_INPUT, sc->path, 0, "%zu quantiles (at most %d)",
                    nQuant, LIQ_MAX_QUANTILES);
  rc = quantile_labels(sc, st->aSweepLabel, err);
  if (rc != LIQ_OK) return rc;
  st->nSweepQuant = nQuant;
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = ensure_quantile_columns(st, st->aSweepLabel, nQuant, err);
  if (rc != LIQ_OK) {
    rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the quantile columns", err);
}

int liq_store_task_write(liq_store *st, const liq_store_task_rows *r,
                         int64_t *run_id, liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t i;
  int rc;

  *run_id = 0;
  if (st->iRun != 0)
    return liq_errf(err, LIQ_USAGE, st->zPath, 0, "run %lld is still active",
                    (long long)st->iRun);
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  /* Another process resuming the same sweep may have written this task
  ** meanwhile: then keep its rows and drop ours (*run_id stays 0). */
  rc = prepare(st->db, st->zPath,
               "SELECT status = 'done' FROM tasks WHERE sweep_id = ?1 AND task_id = ?2",
               0, &p, "read the task's status", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  bind_size(p, 2, r->task_id);
  if (sqlite3_step(p) == SQLITE_ROW && sqlite3_column_int(p, 0)) {
    sqlite3_finalize(p);
    rollback_quietly(st);
    return LIQ_OK;
  }
  sqlite3_finalize(p);
  p = NULL;
  rc = prepare(st->db, st->zPath,
               "INSERT INTO runs(sweep_id, task_id, scenario_name, seed, params,"
               " scenario_text, scenario_path, version, status, started_at,"
               " steps, positions)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running',"
               " coalesce(?9, " LIQ_SQL_NOW "), ?10, ?11)",
               0, &p, "prepare the runs INSERT", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  bind_size(p, 2, r->task_id);
  bind_text(p, 3, r->scenario_name);
  sqlite3_bind_int64(p, 4, (sqlite3_int64)r->seed);
  bind_text(p, 5, r->params ? r->params : "{}");
  bind_text(p, 6, r->scenario_text);
  bind_text(p, 7, r->scenario_path && r->scenario_path[0] ? r->scenario_path
                                                          : NULL);
  bind_text(p, 8, LIQ_VERSION);
  bind_text(p, 9, r->started_at);
  bind_size(p, 10, r->steps);
  bind_size(p, 11, r->positions);
  rc = step_done(st->db, st->zPath, p, "insert the task's run", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;
  st->iRun = sqlite3_last_insert_rowid(st->db);

  finalize_row_statements(st);
  rc = prepare_row_statements(st, st->aSweepLabel, st->nSweepQuant, err);
  if (rc != LIQ_OK) goto fail;
  st->nQuant = st->nSweepQuant;
  st->nPending = 0;
  st->inTask = 1;
  for (i = 0; i < r->n_step_rows && rc == LIQ_OK; i++)
    rc = liq_store_step(st, &r->step_rows[i], err);
  for (i = 0; i < r->n_liq_rows && rc == LIQ_OK; i++)
    rc = liq_store_liquidation(st, &r->liq_rows[i], err);
  for (i = 0; i < r->n_adl_rows && rc == LIQ_OK; i++)
    rc = liq_store_adl(st, &r->adl_rows[i], err);
  if (rc != LIQ_OK) goto fail;

  rc = prepare(st->db, st->zPath,
               "UPDATE tasks SET status = 'done', run_id = ?3, error = NULL"
               " WHERE sweep_id = ?1 AND task_id = ?2",
               0, &p, "prepare the tasks UPDATE", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  bind_size(p, 2, r->task_id);
  sqlite3_bind_int64(p, 3, st->iRun);
  rc = step_done(st->db, st->zPath, p, "mark the task done", err);
  if (rc == LIQ_OK && sqlite3_changes(st->db) != 1)
    rc = liq_errf(err, LIQ_DB, st->zPath, 0, "sweep %lld has no task %zu",
                  (long long)r->sweep_id, r->task_id);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;

  *run_id = st->iRun;
  /* The summary, status 'done' and the COMMIT of all of the above. */
  rc = liq_store_finish_run(st, r->summary, err);
  if (rc != LIQ_OK) {
    *run_id = 0;
    goto fail;
  }
  st->inTask = 0;
  return LIQ_OK;

fail:
  sqlite3_finalize(p);
  rollback_quietly(st);
  st->inTask = 0;
  st->iRun = 0;
  st->nPending = 0;
  finalize_row_statements(st);
  return rc;
}

int liq_store_task_fail(liq_store *st, int64_t sweep_id, size_t task_id,
                        const char *why, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = prepare(st->db, st->zPath,
                   "UPDATE tasks SET status = 'failed', error = ?3"
                   " WHERE sweep_id = ?1 AND task_id = ?2 AND status <> 'done'",
                   0, &p, "prepare the tasks UPDATE", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  bind_size(p, 2, task_id);
  bind_text(p, 3, why ? why : "unknown error");
  rc = step_done(st->db, st->zPath, p, "mark the task failed", err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_counts(liq_store *st, int64_t sweep_id, size_t *n_done,
                           size_t *n_tasks, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = prepare(st->db, st->zPath,
                   "SELECT (SELECT count(*) FROM tasks WHERE sweep_id = ?1"
                   " AND status = 'done'), n_tasks FROM sweeps"
                   " WHERE sweep_id = ?1",
                   0, &p, "count the done tasks", err);
  *n_done = *n_tasks = 0;
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  if (sqlite3_step(p) == SQLITE_ROW) {
    *n_done = (size_t)sqlite3_column_int64(p, 0);
    *n_tasks = (size_t)sqlite3_column_int64(p, 1);
  } else {
    rc = liq_errf(err, LIQ_DB, st->zPath, 0, "no sweep %lld",
                  (long long)sweep_id);
  }
  sqlite3_finalize(p);
  return rc;
}

/* A growable array of doubles. */
typedef struct DblVec {
  double *a;
  size_t n, nAlloc;
} DblVec;

static int dblvec_push(DblVec *v, double x) {
  if (v->n == v->nAlloc) {
    size_t nNew = v->nAlloc ? 2 * v->nAlloc : 64;
    double *aNew = realloc(v->a, nNew * sizeof *aNew);
    if (aNew == NULL) return LIQ_NOMEM;
    v->a = aNew;
    v->nAlloc = nNew;
  }
  v->a[v->n++] = x;
  return LIQ_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sum in the given (task) order, then sort in place; mean and the
** nearest-rank q50/q95/q99 into a[0..4). */
static void describe(DblVec *v, double a[4]) {
  double sum = 0.0;
  size_t i;
  for (i = 0; i < v->n; i++) sum += v->a[i];
  qsort(v->a, v->n, sizeof *v->a, cmp_double);
  a[0] = v->n ? sum / (double)v->n : (double)NAN;
  a[1] = liq_sweep_quantile(v->a, v->n, 0.50);
  a[2] = liq_sweep_quantile(v->a, v->n, 0.95);
  a[3] = liq_sweep_quantile(v->a, v->n, 0.99);
}

/* Per grid point: the summaries of its done tasks, in task order. */
typedef struct AggPoint {
  DblVec bad, uncovered, notional, amp, rounds;
  size_t nBad, nUncovered;      /* replicates with bad debt / uncovered loss > 0 */
} AggPoint;

static void agg_reset(AggPoint *g) {
  g->bad.n = g->uncovered.n = g->notional.n = g->amp.n = g->rounds.n = 0;
  g->nBad = g->nUncovered = 0;
}

static void agg_free(AggPoint *g) {
  free(g->bad.a);
  free(g->uncovered.a);
  free(g->notional.a);
  free(g->amp.a);
  free(g->rounds.a);
}

static int agg_write(liq_store *st, sqlite3_stmt *pIns, int64_t iSweep,
                     sqlite3_int64 iGrid, const char *zParams, AggPoint *g,
                     liq_err *err) {
  double b[4], u[4], nl[4], am[4], ro[4];
  double n = (double)g->bad.n;
  int k = 1;
  describe(&g->bad, b);
  describe(&g->uncovered, u);
  describe(&g->notional, nl);
  describe(&g->amp, am);
  describe(&g->rounds, ro);
  sqlite3_bind_int64(pIns, k++, iSweep);
  sqlite3_bind_int64(pIns, k++, iGrid);
  bind_text(pIns, k++, zParams);
  bind_size(pIns, k++, g->bad.n);
  bind_double(pIns, k++, b[0]);
  bind_double(pIns, k++, b[1]);
  bind_double(pIns, k++, b[2]);
  bind_double(pIns, k++, b[3]);
  bind_double(pIns, k++, n > 0 ? (double)g->nBad / n : (double)NAN);
  bind_double(pIns, k++, u[0]);
  bind_double(pIns, k++, n > 0 ? (double)g->nUncovered / n : (double)NAN);
  bind_double(pIns, k++, nl[0]);
  bind_double(pIns, k++, nl[1]);
  bind_double(pIns, k++, nl[2]);
  bind_double(pIns, k++, nl[3]);
  bind_size(pIns, k++, g->amp.n);
  bind_double(pIns, k++, am[0]);
  bind_double(pIns, k++, am[1]);
  bind_double(pIns, k++, am[2]);
  bind_double(pIns, k++, am[3]);
  bind_double(pIns, k++, ro[0]);
  bind_double(pIns, k++, ro[1]);
  bind_double(pIns, k++, ro[2]);
  bind_double(pIns, k++, ro[3]);
  bind_double(pIns, k++, b[2]);
  bind_double(pIns, k++, nl[2]);
  return step_done(st->db, st->zPath, pIns, "insert an aggregate", err);
}

int liq_store_sweep_aggregate(liq_store *st, int64_t sweep_id, liq_err *err) {
  sqlite3_stmt *pSel = NULL, *pIns = NULL;
  AggPoint g;
  sqlite3_int64 iGrid = -1;
  char *zParams = NULL;
  int rc, src, nomem = 0;

  memset(&g, 0, sizeof g);
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = sweep_exec1(st, "DELETE FROM sweep_aggregates WHERE sweep_id = ?1",
                   sweep_id, NULL, "clear the aggregates", err);
  if (rc == LIQ_OK)
    rc = prepare(st->db, st->zPath,
                 "SELECT t.grid_index, t.params, s.bad_debt, s.uncovered_loss,"
                 " s.liquidated_notional, s.amplification, s.max_cascade_rounds"
                 " FROM tasks t JOIN summary s ON s.run_id = t.run_id"
                 " WHERE t.sweep_id = ?1 AND t.status = 'done'"
                 " ORDER BY t.grid_index, t.task_id",
                 0, &pSel, "read the task summaries", err);
  if (rc == LIQ_OK)
    rc = prepare(st->db, st->zPath,
                 "INSERT INTO sweep_aggregates(sweep_id, grid_index, params, n,"
                 " bad_debt_mean, bad_debt_q50, bad_debt_q95, bad_debt_q99,"
                 " bad_debt_probability, uncovered_loss_mean,"
                 " uncovered_loss_probability, liquidated_notional_mean,"
                 " liquidated_notional_q50, liquidated_notional_q95,"
                 " liquidated_notional_q99, amplification_n,"
                 " amplification_mean, amplification_q50, amplification_q95,"
                 " amplification_q99, max_cascade_rounds_mean,"
                 " max_cascade_rounds_q50, max_cascade_rounds_q95,"
                 " max_cascade_rounds_q99, var95_bad_debt,"
                 " lar95_liquidated_notional)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 0, &pIns, "prepare the aggregates INSERT", err);
  if (rc != LIQ_OK) goto done;
  sqlite3_bind_int64(pSel, 1, sweep_id);
  while ((src = sqlite3_step(pSel)) == SQLITE_ROW) {
    sqlite3_int64 iRow = sqlite3_column_int64(pSel, 0);
    double bad = column_double(pSel, 2), unc = column_double(pSel, 3);
    double amp = column_double(pSel, 5);
    if (iRow != iGrid) {
      if (iGrid >= 0) {
        rc = agg_write(st, pIns, sweep_id, iGrid, zParams, &g, err);
        if (rc != LIQ_OK) goto done;
      }
      agg_reset(&g);
      iGrid = iRow;
      sqlite3_free(zParams);
      zParams = sqlite3_mprintf("%s", column_text(pSel, 1, "{}"));
      if (zParams == NULL) nomem = 1;
    }
    if (isnan(bad)) bad = 0.0;
    if (isnan(unc)) unc = 0.0;
    g.nBad += bad > 0.0;
    g.nUncovered += unc > 0.0;
    nomem |= dblvec_push(&g.bad, bad) != LIQ_OK;
    nomem |= dblvec_push(&g.uncovered, unc) != LIQ_OK;
    nomem |= dblvec_push(&g.notional, column_double(pSel, 4)) != LIQ_OK;
    if (!isnan(amp)) nomem |= dblvec_push(&g.amp, amp) != LIQ_OK;
    nomem |= dblvec_push(&g.rounds, column_double(pSel, 6)) != LIQ_OK;
    if (nomem) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto done;
    }
  }
  if (src != SQLITE_DONE) {
    rc = db_error(st->db, st->zPath, "read the task summaries", err);
    goto done;
  }
  if (iGrid >= 0) rc = agg_write(st, pIns, sweep_id, iGrid, zParams, &g, err);

done:
  sqlite3_finalize(pSel);
  sqlite3_finalize(pIns);
  sqlite3_free(zParams);
  agg_free(&g);
  if (rc != LIQ_OK) {
    rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the aggregates", err);
}

int liq_store_sweep_identity(const char *path, int64_t *sweep_id,
                             char **text, char **spec, liq_err *err) {
  sqlite3 *pDb = NULL;
  sqlite3_stmt *p = NULL;
  int rc = LIQ_OK;
  *sweep_id = 0;
  *text = *spec = NULL;
  if (sqlite3_open_v2(path, &pDb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot open database: %s",
                  pDb ? sqlite3_errmsg(pDb) : "out of memory");
    sqlite3_close_v2(pDb);
    return rc;
  }
  sqlite3_busy_timeout(pDb, LIQ_STORE_BUSY_MS);
  /* No sweeps table (or not a database at all): not a sweep database. */
  if (sqlite3_prepare_v2(pDb,
                         "SELECT sweep_id, scenario_text, spec FROM sweeps"
                         " ORDER BY sweep_id DESC LIMIT 1",
                         -1, &p, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_INPUT, path, 0, "not a liqsim sweep database: %s",
                  sqlite3_errmsg(pDb));
  } else if (sqlite3_step(p) != SQLITE_ROW) {
    rc = liq_errf(err, LIQ_INPUT, path, 0, "the database holds no sweep");
  } else {
    const char *zText = column_text(p, 1, ""), *zSpec = column_text(p, 2, "");
    *sweep_id = sqlite3_column_int64(p, 0);
    *text = malloc(strlen(zText) + 1);
    *spec = malloc(strlen(zSpec) + 1);
    if (*text == NULL || *spec == NULL) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      free(*text);
      free(*spec);
      *text = *spec = NULL;
    } else {
      strcpy(*text, zText);
      strcpy(*spec, zSpec);
    }
  }
  sqlite3_finalize(p);
  sqlite3_close_v2(pDb);
  return rc;
}

/* The columns of schema zDb's table zTab: names and declared types. */
typedef struct ColList {
  char **azName;
  char **azType;
  int n;
} ColList;

static void collist_free(ColList *c) {
  int i;
  for (i = 0; i < c->n; i++) {
    sqlite3_free(c->azName[i]);
    sqlite3_free(c->azType[i]);
  }
  sqlite3_free(c->azName);
  sqlite3_free(c->azType);
  memset(c, 0, sizeof *c);
}

static int collist_read(liq_store *st, const char *zDb, const char *zTab,
                        ColList *c, liq_err *err) {
  sqlite3_stmt *p = NULL;
  char *zSql = sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", zDb, zTab);
  int rc, src;
  memset(c, 0, sizeof *c);
  if (zSql == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  rc = prepare(st->db, st->zPath, zSql, 0, &p, "read the columns", err);
  sqlite3_free(zSql);
  if (rc != LIQ_OK) return rc;
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    char **azN = sqlite3_realloc64(c->azName, (sqlite3_uint64)(c->n + 1) * sizeof *azN);
    char **azT;
    if (azN == NULL) break;
    c->azName = azN;
    azT = sqlite3_realloc64(c->azType, (sqlite3_uint64)(c->n + 1) * sizeof *azT);
    if (azT == NULL) break;
    c->azType = azT;
    c->azName[c->n] = sqlite3_mprintf("%s", column_text(p, 1, ""));
    c->azType[c->n] = sqlite3_mprintf("%s", column_text(p, 2, ""));
    c->n++;
    if (c->azName[c->n - 1] == NULL || c->azType[c->n - 1] == NULL) break;
  }
  if (src == SQLITE_ROW) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  } else if (src != SQLITE_DONE) {
    rc = db_error(st->db, st->zPath, "read the columns", err);
  }
  sqlite3_finalize(p);
  if (rc != LIQ_OK) collist_free(c);
  return rc;
}

static int collist_has(const ColList *c, const char *zName) {
  int i;
  for (i = 0; i < c->n; i++)
    if (sqlite3_stricmp(c->azName[i], zName) == 0) return 1;
  return 0;
}

/*
** Copy the rows of src.zTab that belong to the runs in temp.merge_map
** into main.zTab with their new run_id (and, for runs, the new sweep_id
** ?1).  Columns that src has and main lacks are added first, so a newer
** file's columns survive; the copy goes by column name.
*/
/* A declared column type made of letters, spaces and an optional (n[, m]). */
static int is_plain_type(const char *z) {
  while (*z && (isalpha((unsigned char)*z) || *z == ' ' || *z == '_')) z++;
  if (*z == '(') {
    z++;
    while (*z && (isdigit((unsigned char)*z) || *z == ',' || *z == ' ')) z++;
    if (*z++ != ')') return 0;
  }
  return *z == '\0';
}

static int merge_copy(liq_store *st, const char *zTab, int64_t iSweep,
                      liq_err *err) {
  ColList cSrc, cMain;
  sqlite3_str *pCols = NULL, *pSel = NULL;
  char *zCols = NULL, *zSelect = NULL, *zSql = NULL;
  int isRuns = strcmp(zTab, "runs") == 0;
  int i, rc;

  rc = collist_read(st, "src", zTab, &cSrc, err);
  if (rc != LIQ_OK) return rc;
  rc = collist_read(st, "main", zTab, &cMain, err);
  if (rc != LIQ_OK) {
    collist_free(&cSrc);
    return rc;
  }
  for (i = 0; i < cSrc.n && rc == LIQ_OK; i++) {
    if (collist_has(&cMain, cSrc.azName[i])) continue;
    /* A column the output lacks (a quantile column, say) is added with the
    ** input's declared type, which must be a plain type name: it is spliced
    ** into SQL, and a crafted input could otherwise run statements. */
    if (!is_plain_type(cSrc.azType[i])) {
      rc = liq_errf(err, LIQ_INPUT, st->zPath, 0,
                    "input column %s.%s has an unexpected type \"%s\"", zTab,
                    cSrc.azName[i], cSrc.azType[i]);
      break;
    }
    zSql = sqlite3_mprintf("ALTER TABLE main.\"%w\" ADD COLUMN \"%w\" %s", zTab,
                           cSrc.azName[i], cSrc.azType[i]);
    rc = zSql ? exec_sql(st->db, st->zPath, zSql, "add a column", err)
              : liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    sqlite3_free(zSql);
    zSql = NULL;
  }
  pCols = sqlite3_str_new(st->db);
  pSel = sqlite3_str_new(st->db);
  sqlite3_str_appendf(pCols, "run_id");
  sqlite3_str_appendf(pSel, "m.new");
  if (isRuns) {
    sqlite3_str_appendf(pCols, ", sweep_id");
    sqlite3_str_appendf(pSel, ", ?1");
  }
  for (i = 0; i < cSrc.n; i++) {
    const char *z = cSrc.azName[i];
    if (sqlite3_stricmp(z, "run_id") == 0) continue;
    if (isRuns && sqlite3_stricmp(z, "sweep_id") == 0) continue;
    sqlite3_str_appendf(pCols, ", \"%w\"", z);
    sqlite3_str_appendf(pSel, ", s.\"%w\"", z);
  }
  zCols = sqlite3_str_finish(pCols);
  zSelect = sqlite3_str_finish(pSel);
  if (rc == LIQ_OK && (zCols == NULL || zSelect == NULL))
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (rc == LIQ_OK) {
    zSql = sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s FROM"
                           " src.\"%w\" s JOIN temp.merge_map m"
                           " ON m.old = s.run_id ORDER BY m.new",
                           zTab, zCols, zSelect, zTab);
    rc = zSql ? sweep_exec1(st, zSql, iSweep, NULL, "copy the rows", err)
              : liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  sqlite3_free(zSql);
  sqlite3_free(zCols);
  sqlite3_free(zSelect);
  collist_free(&cSrc);
  collist_free(&cMain);
  return rc;
}

/* "file:PATH?mode=ro" with PATH percent-encoded (SQLite URI filenames). */
static char *readonly_uri(const char *zPath) {
  sqlite3_str *p = sqlite3_str_new(NULL);
  const unsigned char *z = (const unsigned char *)zPath;
  sqlite3_str_appendall(p, "file:");
  for (; *z; z++) {
    if (isalnum(*z) || strchr("/._-~", *z)) sqlite3_str_appendchar(p, 1, (char)*z);
    else sqlite3_str_appendf(p, "%%%02X", *z);
  }
  sqlite3_str_appendall(p, "?mode=ro");
  return sqlite3_str_finish(p);
}

int liq_store_sweep_merge_from(liq_store *st, const char *in_path,
                               int64_t *sweep_id, size_t *n_copied,
                               liq_err *err) {
  sqlite3_stmt *p = NULL;
  sqlite3_int64 iSrc = 0, iBase = 0;
  int rc, attached = 0, same = 0;

  *n_copied = 0;
  /* Read-only: merging never writes to (or waits on a writer of) an input. */
  rc = prepare(st->db, st->zPath, "ATTACH ?1 AS src", 0, &p,
               "attach the input", err);
  if (rc != LIQ_OK) return rc;
  {
    char *zUri = readonly_uri(in_path);
    if (zUri == NULL) {
      sqlite3_finalize(p);
      return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    }
    sqlite3_bind_text(p, 1, zUri, -1, sqlite3_free);
  }
  rc = step_done(st->db, st->zPath, p, "attach the input", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) return rc;
  attached = 1;

  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) goto out;
  rc = prepare(st->db, in_path, "SELECT max(sweep_id) FROM src.sweeps", 0, &p,
               "not a liqsim sweep database", err);
  if (rc != LIQ_OK) {
    rc = liq_errf(err, LIQ_INPUT, in_path, 0, "not a liqsim sweep database");
    goto fail;
  }
  if (sqlite3_step(p) == SQLITE_ROW) iSrc = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  if (iSrc == 0) {
    rc = liq_errf(err, LIQ_INPUT, in_path, 0, "the database holds no sweep");
    goto fail;
  }

  /* The output's sweep: the given one, its last one, or a copy of the
  ** input's sweeps row as a whole sweep (shard 1/1). */
  if (*sweep_id == 0) {
    rc = liq_store_sweep_last(st, sweep_id, err);
    if (rc != LIQ_OK) goto fail;
  }
  if (*sweep_id == 0) {
    rc = sweep_exec1(st,
                     "INSERT INTO main.sweeps(scenario_name, scenario_text,"
                     " scenario_path, spec, seed, n_tasks, n_points, replicates,"
                     " shard_index, shard_count, created_at, version)"
                     " SELECT scenario_name, scenario_text, scenario_path, spec,"
                     " seed, n_tasks, n_points, replicates, 1, 1, " LIQ_SQL_NOW
                     ", ?2 FROM src.sweeps WHERE sweep_id = ?1",
                     iSrc, LIQ_VERSION, "create the merged sweep", err);
    if (rc != LIQ_OK) goto fail;
    *sweep_id = sqlite3_last_insert_rowid(st->db);
  }
  rc = prepare(st->db, st->zPath,
               "SELECT a.scenario_text IS b.scenario_text AND a.spec IS b.spec"
               " FROM main.sweeps a, src.sweeps b"
               " WHERE a.sweep_id = ?1 AND b.sweep_id = ?2",
               0, &p, "compare the sweeps", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, *sweep_id);
  sqlite3_bind_int64(p, 2, iSrc);
  if (sqlite3_step(p) == SQLITE_ROW) same = sqlite3_column_int(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  if (!same) {
    rc = liq_errf(err, LIQ_INPUT, in_path, 0,
                  "its sweep comes from a different scenario (scenario text or "
                  "sweep spec) than sweep %lld of %s",
                  (long long)*sweep_id, st->zPath);
    goto fail;
  }

  /* A merged file holds the whole sweep (shard 1/1), even when it began
  ** as a shard file. */
  rc = sweep_exec1(st, "UPDATE main.sweeps SET shard_index = 1, shard_count = 1"
                   " WHERE sweep_id = ?1", *sweep_id, NULL, "update the sweep",
                   err);
  if (rc != LIQ_OK) goto fail;

  /* Map the input's done runs not yet done here to new run ids, in task
  ** order after the output's last run. */
  rc = prepare(st->db, st->zPath, "SELECT coalesce(max(run_id), 0) FROM main.runs",
               0, &p, "read the last run id", err);
  if (rc != LIQ_OK) goto fail;
  if (sqlite3_step(p) == SQLITE_ROW) iBase = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  rc = exec_sql(st->db, st->zPath,
                "CREATE TEMP TABLE IF NOT EXISTS merge_map("
                " old INTEGER PRIMARY KEY, new INTEGER, task_id INTEGER);"
                "DELETE FROM temp.merge_map;",
                "create the run map", err);
  if (rc != LIQ_OK) goto fail;
  rc = prepare(st->db, st->zPath,
               "INSERT INTO temp.merge_map(old, new, task_id)"
               " SELECT t.run_id, ?3 + row_number() OVER (ORDER BY t.task_id),"
               " t.task_id FROM src.tasks t"
               " WHERE t.sweep_id = ?2 AND t.status = 'done'"
               " AND t.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
               " main.tasks o WHERE o.sweep_id = ?1 AND o.task_id = t.task_id"
               " AND o.status = 'done')",
               0, &p, "map the runs", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, *sweep_id);
  sqlite3_bind_int64(p, 2, iSrc);
  sqlite3_bind_int64(p, 3, iBase);
  rc = step_done(st->db, st->zPath, p, "map the runs", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;
  *n_copied = (size_t)sqlite3_changes(st->db);

  /* Clear what the output holds for those tasks, then copy. */
  {
    static const char *const azClear[] = {
      "DELETE FROM main.steps WHERE run_id IN (SELECT run_id FROM main.runs"
      " WHERE sweep_id = ?1 AND task_id IN (SELECT task_id FROM temp.merge_map))",
      "DELETE FROM main.liquidations WHERE run_id IN (SELECT run_id FROM"
      " main.runs WHERE sweep_id = ?1 AND task_id IN (SELECT task_id FROM"
      " temp.merge_map))",
      "DELETE FROM main.adl WHERE run_id IN (SELECT run_id FROM"
      " main.runs WHERE sweep_id = ?1 AND task_id IN (SELECT task_id FROM"
      " temp.merge_map))",
      "DELETE FROM main.summary WHERE run_id IN (SELECT run_id FROM main.runs"
      " WHERE sweep_id = ?1 AND task_id IN (SELECT task_id FROM temp.merge_map))",
      "DELETE FROM main.runs WHERE sweep_id = ?1 AND task_id IN"
      " (SELECT task_id FROM temp.merge_map)",
    };
    static const char *const azTab[] = {"runs", "summary", "steps",
                                        "liquidations", "adl"};
    size_t i;
    for (i = 0; i < sizeof azClear / sizeof azClear[0] && rc == LIQ_OK; i++)
      rc = sweep_exec1(st, azClear[i], *sweep_id, NULL, "clear old rows", err);
    for (i = 0; i < sizeof azTab / sizeof azTab[0] && rc == LIQ_OK; i++)
      rc = merge_copy(st, azTab[i], *sweep_id, err);
    if (rc != LIQ_OK) goto fail;
  }

  /* Tasks: the copied ones done with their new runs; the input's other
  ** tasks pending unless the output has them. */
  rc = prepare(st->db, st->zPath,
               "INSERT OR REPLACE INTO main.tasks(sweep_id, task_id, run_id,"
               " replicate, grid_index, params, seed, path_seed, book_seed,"
               " status, error)"
               " SELECT ?1, t.task_id, m.new, t.replicate, t.grid_index,"
               " t.params, t.seed, t.path_seed, t.book_seed, 'done', NULL"
               " FROM src.tasks t JOIN temp.merge_map m ON m.old = t.run_id"
               " WHERE t.sweep_id = ?2",
               0, &p, "copy the tasks", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, *sweep_id);
  sqlite3_bind_int64(p, 2, iSrc);
  rc = step_done(st->db, st->zPath, p, "copy the tasks", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;
  rc = prepare(st->db, st->zPath,
               "INSERT OR IGNORE INTO main.tasks(sweep_id, task_id, replicate,"
               " grid_index, params, seed, path_seed, book_seed, status)"
               " SELECT ?1, task_id, replicate, grid_index, params, seed,"
               " path_seed, book_seed, 'pending' FROM src.tasks"
               " WHERE sweep_id = ?2",
               0, &p, "copy the pending tasks", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, *sweep_id);
  sqlite3_bind_int64(p, 2, iSrc);
  rc = step_done(st->db, st->zPath, p, "copy the pending tasks", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;

  rc = sweep_commit(st, "commit the merge", err);
  goto out;

fail:
  sqlite3_finalize(p);
  rollback_quietly(st);
out:
  if (attached) sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL);
  return rc;
}
