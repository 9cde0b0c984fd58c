/*
** store.c: the SQLite results database (see liq_store.h).
**
** This file contains the schema, the prepared statements that write a run
** (runs, steps, liquidations, summary) and the sink; store_sweep.c holds
** the sweep tables and store_report.c the text report (shared helpers:
** store_int.h).  The database is the product: every table is plain SQL that a
** researcher can open in sqlite3, pandas or R.
**
** Transactions.  The runs row of a new run is committed at once, so a
** killed process leaves a visible 'running' row.  Its step, liquidation and
** adl rows are all written in ONE write transaction, opened by the first
** row (BEGIN IMMEDIATE, so a concurrent writer makes us wait on the busy
** timeout instead of failing on a stale snapshot) and committed by
** liq_store_finish_run() together with the summary and status 'done': a
** run's rows appear all at once or not at all.  liq_store_fail_run()
** rolls them back and records status 'failed' with why; a killed process
** leaves its 'running' row and no other rows.  (Batch commits left
** hundreds of thousands of rows of an interrupted run behind, and a full
** disk could not even delete them.)  The price: a concurrent writer to the
** same file waits for the run to finish (up to LIQ_STORE_BUSY_MS).
**
** Speed of a run's rows (issue 11: millions of liquidation rows a run).
** Foreign keys are off for the run's row transaction: every row carries
** the run's own run_id, and liq_store_finish_run() checks, in the same
** transaction, that its runs row is still there (an FK check per row cost
** a fifth of a row's insert).  Liquidation rows go in LIQ_STORE_LIQ_GROUP
** at a time with INSERT OR FAIL: under the default ABORT a statement that
** writes many rows keeps a statement journal (a temporary file that took
** more bytes than the database itself) to undo just itself; a failed run
** rolls back its whole transaction anyway.  A new database written by
** `liqsim run` has 64 KiB pages (liq_store_open_run()).
**
** Every double that is NaN is stored as NULL (store_bind_double()).  Counts are
** INTEGER, money and prices REAL.  Timestamps are ISO-8601 UTC text.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_store.h"
#include "store_int.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "liq_stats.h"
#include "stats_int.h"


#define LIQ_STORE_SCHEMA_VERSION 3

/* The per-step columns before the cushion quantiles, in binding order. */
#define LIQ_STEP_FIXED_COLUMNS                                               \
  "run_id, step, t_ms, price, price_exogenous, price_low, price_high, "      \
  "liquidations, liquidations_long, liquidations_short, "                    \
  "liquidated_notional, cascade_rounds, margin_calls, insurance_fund, fees, " \
  "bad_debt, uncovered_loss, open_interest_long, open_interest_short, "      \
  "open_long, open_short, partial_liquidations, funding, funding_short, "    \
  "topups, topup_collateral, adl_count, adl_notional, haircut, funding_external"
#define LIQ_STEP_N_FIXED 30

/*
** The schema.  Every statement is idempotent, so opening an existing
** database runs it again harmlessly.  More steps.cushion_<label> columns
** are added by store_ensure_quantile_columns() when a scenario asks for them.
*/
static const char *const schema_sql =
  "CREATE TABLE IF NOT EXISTS meta(\n"
  "  key   TEXT PRIMARY KEY,\n"
  "  value TEXT\n"
  ");\n"
  "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '3');\n"
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
  "  positions     INTEGER,\n"
  "  warnings      TEXT       -- known keys the run's models do not use, one a line\n"
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
  "  funding_external    REAL,     -- funding + funding_short: paid to the rest of the market\n"
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
static const char *const schema2_sql =
  "CREATE TABLE IF NOT EXISTS adl(\n"
  "  run_id      INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  step        INTEGER NOT NULL,\n"
  "  round       INTEGER,\n"
  "  position_id INTEGER,    -- NULL: a charge to a whole side (books > 10^6)\n"
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
  "  impact_at_low        REAL,     -- ln(min_price / min_price_exogenous)\n"
  "  impact_at_high       REAL,     -- ln(max_price / max_price_exogenous)\n"
  "  forced_share_of_fall REAL,     -- impact_at_low / ln(min_price / start_price);\n"
  "                                 -- NULL when the price never fell below the start\n"
  "  forced_share_of_rise REAL,     -- the mirror; NULL when it never rose above it\n"
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
  "  funding_external     REAL,     -- funding_long + funding_short: paid to the rest of the market\n"
  "  haircut              REAL,\n"
  "  adl_count            INTEGER,\n"
  "  first_adl_step       INTEGER,  -- NULL when no ADL happened\n"
  "  liquidated_without_impact          INTEGER, -- stats.counterfactual: the same\n"
  "  liquidated_notional_without_impact REAL,    -- path and book without impact;\n"
  "  bad_debt_without_impact            REAL     -- NULL when not run\n"
  ");\n";

/*
** The sweep tables (see the Sweeps section at the end of this file and
** liq_sweep.h).  A sweep's runs rows carry runs.sweep_id and runs.task_id.
*/
/* The book as run (stats.positions): liquidations join it on position_id. */
static const char *const positions_schema_sql =
  "CREATE TABLE IF NOT EXISTS positions(\n"
  "  run_id            INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
  "  position_id       INTEGER NOT NULL,\n"
  "  side              TEXT,\n"
  "  qty               REAL,\n"
  "  entry             REAL,\n"
  "  collateral        REAL,\n"
  "  leverage          REAL,\n"
  "  liquidation_price REAL,     -- under the run's margin rule, at the start\n"
  "  bankruptcy_price  REAL,     -- where equity is 0\n"
  "  PRIMARY KEY(run_id, position_id)\n"
  ");\n";

static const char *const sweep_schema_sql =
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
  "CREATE TABLE IF NOT EXISTS sweep_point_values(\n"
  "  sweep_id   INTEGER NOT NULL,\n"
  "  grid_index INTEGER NOT NULL,\n"
  "  key        TEXT NOT NULL,    -- the axis key, e.g. impact.coefficient\n"
  "  value,                       -- its value at the point: a number (INTEGER\n"
  "                               -- or REAL) or a model or policy name (TEXT)\n"
  "  PRIMARY KEY(sweep_id, grid_index, key)\n"
  ") WITHOUT ROWID;\n"
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
  "  impact_at_low_mean        REAL,\n"
  "  impact_at_low_q50         REAL,\n"
  "  impact_at_high_mean       REAL,\n"
  "  impact_at_high_q50        REAL,\n"
  "  forced_share_of_fall_n    INTEGER,  -- replicates where it is defined\n"
  "  forced_share_of_fall_mean REAL,\n"
  "  forced_share_of_rise_n    INTEGER,\n"
  "  forced_share_of_rise_mean REAL,\n"
  "  counterfactual_n          INTEGER,  -- replicates run without impact too\n"
  "  liquidated_mean           REAL,\n"
  "  liquidated_without_impact_mean REAL,  -- over the counterfactual_n replicates\n"
  "  liquidated_notional_without_impact_mean REAL,\n"
  "  liquidated_notional_without_impact_q95  REAL,\n"
  "  bad_debt_without_impact_mean REAL,\n"
  "  bad_debt_without_impact_q95  REAL,\n"
  "  max_cascade_rounds_mean   REAL,\n"
  "  max_cascade_rounds_q50    REAL,\n"
  "  max_cascade_rounds_q95    REAL,\n"
  "  max_cascade_rounds_q99    REAL,\n"
  "  var95_bad_debt            REAL,     -- bad_debt_q95, by its risk name\n"
  "  lar95_liquidated_notional REAL,     -- liquidated_notional_q95\n"
  "  PRIMARY KEY(sweep_id, grid_index)\n"
  ") WITHOUT ROWID;\n";


/*
************************************************************************
** Helpers
************************************************************************
*/

/* Record the connection's current error as LIQ_DB.  'what' says what
** was being done.  Call it right after the failing call: the message
** belongs to the connection and the next call overwrites it. */
int store_db_error(sqlite3 *db, const char *path, const char *what,
                   liq_err *err) {
  return liq_errf(err, LIQ_DB, path, 0, "%s: %s", what,
                  db ? sqlite3_errmsg(db) : "out of memory");
}

/* Run one or more statements that return nothing of interest. */
int store_exec_sql(sqlite3 *db, const char *path, const char *sql,
                   const char *what, liq_err *err) {
  char *errmsg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK) {
    liq_errf(err, LIQ_DB, path, 0, "%s: %s", what,
             errmsg ? errmsg : sqlite3_errstr(rc));
    sqlite3_free(errmsg);
    return LIQ_DB;
  }
  return LIQ_OK;
}

int store_prepare(sqlite3 *db, const char *path, const char *sql,
                  unsigned int flags, sqlite3_stmt **stmt_out /* OUT */,
                  const char *what, liq_err *err) {
  *stmt_out = NULL;
  if (sqlite3_prepare_v3(db, sql, -1, flags, stmt_out, NULL) != SQLITE_OK) {
    store_db_error(db, path, what, err);
    sqlite3_finalize(*stmt_out);
    *stmt_out = NULL;
    return LIQ_DB;
  }
  return LIQ_OK;
}

/* Step a statement that returns no rows, then reset it for reuse. */
int store_step_done(sqlite3 *db, const char *path, sqlite3_stmt *stmt,
                    const char *what, liq_err *err) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    store_db_error(db, path, what, err);    /* before reset: keep the message */
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return LIQ_DB;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return LIQ_OK;
}

/* NaN is stored as NULL: "not defined" (no open position, no drawdown). */
int store_bind_double(sqlite3_stmt *stmt, int i, double v) {
  if (isnan(v)) return sqlite3_bind_null(stmt, i);
  return sqlite3_bind_double(stmt, i, v);
}

int store_bind_size(sqlite3_stmt *stmt, int i, size_t v) {
  return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v);
}

/* Bind a string or NULL; SQLite copies it. */
int store_bind_text(sqlite3_stmt *stmt, int i, const char *z) {
  if (z == NULL) return sqlite3_bind_null(stmt, i);
  return sqlite3_bind_text(stmt, i, z, -1, SQLITE_TRANSIENT);
}

/* A REAL column read back, NULL as NaN. */
double store_column_double(sqlite3_stmt *stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return NAN;
  return sqlite3_column_double(stmt, i);
}

const char *store_column_text(sqlite3_stmt *stmt, int i, const char *if_null) {
  const unsigned char *z = sqlite3_column_text(stmt, i);
  return z ? (const char *)z : if_null;
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
** Fill labels[0..n) with the cushion column suffixes of the scenario's
** quantiles.  Two quantiles that share a label would share a column:
** LIQ_INPUT.
*/
int store_quantile_labels(const liq_scenario *sc, char labels[][32],
                          liq_err *err) {
  size_t i, j;
  for (i = 0; i < sc->stats.n_quantiles; i++) {
    liq_quantile_label(sc->stats.quantiles[i], labels[i], sizeof labels[i]);
    if (!label_is_identifier(labels[i]))
      return liq_errf(err, LIQ_INPUT, sc->path, 0,
                      "quantile %g gives an unusable column label \"%s\"",
                      sc->stats.quantiles[i], labels[i]);
    for (j = 0; j < i; j++) {
      if (strcmp(labels[i], labels[j]) == 0)
        return liq_errf(err, LIQ_INPUT, sc->path, 0,
                        "quantiles %g and %g share the column cushion_%s",
                        sc->stats.quantiles[j], sc->stats.quantiles[i],
                        labels[i]);
    }
  }
  return LIQ_OK;
}

/*
** Add a steps.cushion_<label> REAL column for each label that is not
** there yet (PRAGMA table_info).  Runs inside the caller's write
** transaction, so two processes cannot both add the same column.
*/
int store_ensure_quantile_columns(liq_store *st, char labels[][32], size_t n,
                                  liq_err *err) {
  sqlite3_stmt *info_stmt = NULL;
  char **azHave = NULL;
  size_t n_have = 0, n_alloc = 0, i, j;
  int rc = LIQ_OK, src;

  rc = store_prepare(st->db, st->path, "PRAGMA table_info(steps)", 0, &info_stmt,
               "read the steps columns", err);
  if (rc != LIQ_OK) return rc;
  while ((src = sqlite3_step(info_stmt)) == SQLITE_ROW) {
    const char *col_name = store_column_text(info_stmt, 1, "");
    size_t len = strlen(col_name);
    if (n_have == n_alloc) {
      size_t n_new = n_alloc ? 2 * n_alloc : 64;
      char **azNew = realloc(azHave, n_new * sizeof *azNew);
      if (azNew == NULL) {
        rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
        goto done;
      }
      azHave = azNew;
      n_alloc = n_new;
    }
    azHave[n_have] = malloc(len + 1);
    if (azHave[n_have] == NULL) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto done;
    }
    memcpy(azHave[n_have++], col_name, len + 1);
  }
  if (src != SQLITE_DONE) {
    rc = store_db_error(st->db, st->path, "read the steps columns", err);
    goto done;
  }
  sqlite3_finalize(info_stmt);
  info_stmt = NULL;

  for (i = 0; i < 2 * n; i++) {
    char col[48], sql[160];
    int found = 0;
    if (snprintf(col, sizeof col, "%s_%s", i < n ? "cushion" : "distance",
                 labels[i % n]) >= (int)sizeof col) {
      rc = liq_errf(err, LIQ_INPUT, st->path, 0, "quantile label '%s' too long",
                    labels[i % n]);
      goto done;
    }
    for (j = 0; j < n_have && !found; j++)
      found = sqlite3_stricmp(azHave[j], col) == 0;
    if (found) continue;
    snprintf(sql, sizeof sql, "ALTER TABLE steps ADD COLUMN \"%s\" REAL",
             col);
    rc = store_exec_sql(st->db, st->path, sql, "add a quantile column", err);
    if (rc != LIQ_OK) goto done;
  }

done:
  sqlite3_finalize(info_stmt);
  for (i = 0; i < n_have; i++) free(azHave[i]);
  free(azHave);
  return rc;
}

/* Prepare the steps INSERT for exactly these cushion columns. */
static int prepare_step_insert(liq_store *st, char labels[][32], size_t n,
                               liq_err *err) {
  /* fixed part + ',"cushion_<label>"' per quantile + the placeholders */
  char sql[4096];
  size_t len, i, n_col = LIQ_STEP_N_FIXED + 2 * n;

  len = (size_t)snprintf(sql, sizeof sql,
                         "INSERT INTO steps(" LIQ_STEP_FIXED_COLUMNS);
  for (i = 0; i < n && len < sizeof sql; i++)
    len += (size_t)snprintf(sql + len, sizeof sql - len,
                            ", \"cushion_%s\"", labels[i]);
  for (i = 0; i < n && len < sizeof sql; i++)
    len += (size_t)snprintf(sql + len, sizeof sql - len,
                            ", \"distance_%s\"", labels[i]);
  if (len < sizeof sql)
    len += (size_t)snprintf(sql + len, sizeof sql - len, ") VALUES(?");
  for (i = 1; i < n_col && len < sizeof sql; i++)
    len += (size_t)snprintf(sql + len, sizeof sql - len, ",?");
  if (len < sizeof sql)
    len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
  assert(len < sizeof sql);            /* 16 labels of < 32 chars fit */
  if (len >= sizeof sql)
    return liq_errf(err, LIQ_DB, st->path, 0, "steps INSERT too long");
  return store_prepare(st->db, st->path, sql, SQLITE_PREPARE_PERSISTENT,
                 &st->step_stmt, "prepare the steps INSERT", err);
}

#define LIQ_LIQ_INSERT                                                      \
  "INSERT OR FAIL INTO liquidations(run_id, step, round, position_id,"      \
  " side, qty, price, trigger_price, liquidation_price,"                    \
  " bankruptcy_price, equity, loss, fee, returned, share) VALUES"
#define LIQ_LIQ_VALUES   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define LIQ_LIQ_N_COLUMNS 15

/* An INSERT of n rows: 'head' ("INSERT ... VALUES") then n times 'values'
** ("(?,?,...)").  One statement amortises the statement's set-up (cursors
** on the table and its index) over many rows, which is most of a narrow
** row's cost. */
static int prepare_rows_insert(liq_store *st, const char *head, const char *values,
                               size_t n, unsigned flags, sqlite3_stmt **out,
                               const char *what, liq_err *err) {
  sqlite3_str *sql = sqlite3_str_new(st->db);
  char *z;
  size_t i;
  int rc;
  sqlite3_str_appendall(sql, head);
  for (i = 0; i < n; i++) {
    if (i) sqlite3_str_appendchar(sql, 1, ',');
    sqlite3_str_appendall(sql, values);
  }
  z = sqlite3_str_finish(sql);
  if (z == NULL) return liq_errf(err, LIQ_NOMEM, st->path, 0, "out of memory: %s", what);
  rc = store_prepare(st->db, st->path, z, flags, out, what, err);
  sqlite3_free(z);
  return rc;
}

/* Prepare the steps and liquidations INSERTs of a run. */
int store_prepare_row_statements(liq_store *st, char labels[][32], size_t n,
                                 liq_err *err) {
  int rc = prepare_step_insert(st, labels, n, err);
  st->n_liq_buf = 0;
  if (rc == LIQ_OK)
    rc = store_prepare(st->db, st->path, LIQ_LIQ_INSERT LIQ_LIQ_VALUES,
                 SQLITE_PREPARE_PERSISTENT, &st->liq_stmt,
                 "prepare the liquidations INSERT", err);
  if (rc == LIQ_OK)
    rc = prepare_rows_insert(st, LIQ_LIQ_INSERT, LIQ_LIQ_VALUES, LIQ_STORE_LIQ_GROUP,
                             SQLITE_PREPARE_PERSISTENT, &st->liq_group_stmt,
                             "prepare the liquidations INSERT", err);
  if (rc == LIQ_OK)
    rc = store_prepare(st->db, st->path,
                 "INSERT INTO adl(run_id, step, round, position_id, side, qty,"
                 " price, share, haircut, rank_score)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?)",
                 SQLITE_PREPARE_PERSISTENT, &st->adl_stmt,
                 "prepare the adl INSERT", err);
  return rc;
}

void store_finalize_row_statements(liq_store *st) {
  sqlite3_finalize(st->step_stmt);
  sqlite3_finalize(st->liq_stmt);
  sqlite3_finalize(st->liq_group_stmt);
  sqlite3_finalize(st->adl_stmt);
  st->step_stmt = NULL;
  st->liq_stmt = NULL;
  st->liq_group_stmt = NULL;
  st->n_liq_buf = 0;
  st->adl_stmt = NULL;
  st->n_quant = 0;
}

/* After the run's row transaction: foreign keys on again, if row_begin()
** turned them off (the pragma does nothing inside a transaction). */
static void foreign_keys_back_on(liq_store *st) {
  if (!st->fk_off || !sqlite3_get_autocommit(st->db)) return;
  sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
  st->fk_off = 0;
}

/* Roll back the open transaction, if SQLite has not done so already. */
void store_rollback_quietly(liq_store *st) {
  st->n_liq_buf = 0;                  /* rows not inserted yet go with it */
  if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  foreign_keys_back_on(st);
}

/*
** Mark the active run failed: roll back its rows, delete any that an
** older liqsim committed in batches and set status, error and finished_at,
** in one transaction.
*/
static int mark_failed(liq_store *st, const char *why, liq_err *err) {
  static const char *const azSql[] = {
    "DELETE FROM steps WHERE run_id = ?1",
    "DELETE FROM liquidations WHERE run_id = ?1",
    "DELETE FROM adl WHERE run_id = ?1",
    "UPDATE runs SET status = 'failed', error = ?2, finished_at = "
      LIQ_SQL_NOW " WHERE run_id = ?1",
  };
  sqlite3_stmt *stmt = NULL;
  size_t i;
  int rc;

  store_rollback_quietly(st);
  st->n_pending = 0;
  rc = store_exec_sql(st->db, st->path, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) return rc;
  for (i = 0; i < sizeof azSql / sizeof azSql[0]; i++) {
    rc = store_prepare(st->db, st->path, azSql[i], 0, &stmt, "mark the run failed",
                 err);
    if (rc != LIQ_OK) goto fail;
    sqlite3_bind_int64(stmt, 1, st->run_id);
    if (sqlite3_bind_parameter_count(stmt) >= 2)
      store_bind_text(stmt, 2, why);
    rc = store_step_done(st->db, st->path, stmt, "mark the run failed", err);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc != LIQ_OK) goto fail;
  }
  rc = store_exec_sql(st->db, st->path, "COMMIT", "commit the failed run", err);
  if (rc != LIQ_OK) goto fail;
  return LIQ_OK;

fail:
  store_rollback_quietly(st);
  return rc;
}

/* Open the run's row transaction if none is open, foreign keys off for
** it (see the top of the file; a sweep task's transaction is opened by
** its writer and keeps them). */
static int row_begin(liq_store *st, liq_err *err) {
  int rc;
  if (st->run_id == 0)
    return liq_errf(err, LIQ_USAGE, st->path, 0,
                    "no active run (call liq_store_begin_run first)");
  if (!sqlite3_get_autocommit(st->db)) return LIQ_OK;
  if (st->fk_off)      /* SQLite rolled the transaction back on an error */
    return liq_errf(err, LIQ_DB, st->path, 0, "the run's rows were rolled back "
                    "after an earlier error");
  st->n_pending = 0;
  rc = store_exec_sql(st->db, st->path, "PRAGMA foreign_keys=OFF",
                      "begin the run's rows", err);
  if (rc != LIQ_OK) return rc;
  st->fk_off = 1;
  rc = store_exec_sql(st->db, st->path, "BEGIN IMMEDIATE", "begin the run's rows",
                      err);
  if (rc != LIQ_OK) foreign_keys_back_on(st);
  return rc;
}

/* Count a written row.  Nothing commits before the run is finished. */
int store_row_end(liq_store *st, liq_err *err) {
  (void)err;
  ++st->n_pending;
  return LIQ_OK;
}

/*
************************************************************************
** Writing
************************************************************************
*/

/* Open or create 'path'; a database created now gets 'page_size'-byte
** pages (0: SQLite's default). */
static int store_open(const char *path, int page_size, liq_store **out,
                      liq_err *err) {
  liq_store *st = NULL;
  sqlite3_stmt *ver_stmt = NULL;
  size_t len;
  int rc;

  *out = NULL;
  st = calloc(1, sizeof *st);
  len = strlen(path);
  if (st == NULL || (st->path = malloc(len + 1)) == NULL) {
    free(st);
    return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory");
  }
  memcpy(st->path, path, len + 1);
  {
    struct stat sb;   /* SQLite says only "unable to open database file" */
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      rc = liq_errf(err, LIQ_USAGE, path, 0, "is a directory (expected a "
                    "database file, e.g. %s/run.db)", path);
      goto fail;
    }
  }

  if (sqlite3_open_v2(path, &st->db,
                      /* NOMUTEX: one thread at a time uses a store (a run's
                      ** writer thread, then the caller; a sweep's writer under
                      ** its lock), so SQLite's own locking is pure cost. */
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                      SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    rc = store_db_error(st->db, path, "cannot open database", err);
    goto fail;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, LIQ_STORE_BUSY_MS);

  /* Connection settings: outside any transaction.  The page size takes
  ** only on a new, empty file (before WAL mode writes to it); an existing
  ** database keeps its own. */
  if (page_size > 0) {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA page_size=%d;", page_size);
    rc = store_exec_sql(st->db, path, sql, "configure the database", err);
    if (rc != LIQ_OK) goto fail;
  }
  rc = store_exec_sql(st->db, path,
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;",
                "configure the database", err);
  if (rc != LIQ_OK) goto fail;

  rc = store_exec_sql(st->db, path, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) goto fail;
  rc = store_exec_sql(st->db, path, schema_sql, "create the schema", err);
  if (rc == LIQ_OK)
    rc = store_exec_sql(st->db, path, schema2_sql, "create the schema", err);
  if (rc == LIQ_OK)
    rc = store_exec_sql(st->db, path, positions_schema_sql, "create the schema", err);
  if (rc == LIQ_OK)
    rc = store_exec_sql(st->db, path, sweep_schema_sql, "create the sweep schema", err);
  if (rc != LIQ_OK) goto fail;
  rc = store_prepare(st->db, path,
               "SELECT CAST(value AS INTEGER) FROM meta"
               " WHERE key = 'schema_version'",
               0, &ver_stmt, "read the schema version", err);
  if (rc != LIQ_OK) goto fail;
  if (sqlite3_step(ver_stmt) == SQLITE_ROW &&
      sqlite3_column_int(ver_stmt, 0) != LIQ_STORE_SCHEMA_VERSION) {
    int v = sqlite3_column_int(ver_stmt, 0);
    rc = liq_errf(err, LIQ_DB, path, 0,
                  "schema version %d is %s than this liqsim's (%d): write to a "
                  "new database", v, v > LIQ_STORE_SCHEMA_VERSION ? "newer" : "older",
                  LIQ_STORE_SCHEMA_VERSION);
    goto fail;
  }
  sqlite3_finalize(ver_stmt);
  ver_stmt = NULL;
  rc = store_exec_sql(st->db, path, "COMMIT", "commit the schema", err);
  if (rc != LIQ_OK) goto fail;

  *out = st;
  return LIQ_OK;

fail:
  sqlite3_finalize(ver_stmt);
  liq_store_close(st);
  return rc;
}

int liq_store_open(const char *path, liq_store **out, liq_err *err) {
  return store_open(path, 0, out, err);
}

int liq_store_open_run(const char *path, liq_store **out, liq_err *err) {
  return store_open(path, LIQ_STORE_RUN_PAGE_SIZE, out, err);
}

void liq_store_close(liq_store *st) {
  if (st == NULL) return;
  store_finalize_row_statements(st);
  store_sweep_close(st);
  /* The open row transaction is rolled back by the close; the run stays 'running'
  ** like the run of a killed process. */
  sqlite3_close_v2(st->db);
  free(st->path);
  free(st);
}

int liq_store_begin_run(liq_store *st, const liq_scenario *sc, uint64_t seed,
                        int64_t *run_id, liq_err *err) {
  char labels[LIQ_MAX_QUANTILES][32];
  sqlite3_stmt *run_stmt = NULL;
  size_t n_quant = sc->stats.n_quantiles;
  int rc;

  *run_id = 0;
  if (st->run_id != 0)
    return liq_errf(err, LIQ_USAGE, st->path, 0,
                    "run %lld is still active", (long long)st->run_id);
  if (n_quant > LIQ_MAX_QUANTILES)
    return liq_errf(err, LIQ_INPUT, sc->path, 0,
                    "%zu quantiles (at most %d)", n_quant, LIQ_MAX_QUANTILES);
  rc = store_quantile_labels(sc, labels, err);
  if (rc != LIQ_OK) return rc;
  store_finalize_row_statements(st);

  /* The runs row and any new columns, committed together at once. */
  rc = store_exec_sql(st->db, st->path, "BEGIN IMMEDIATE", "begin", err);
  if (rc != LIQ_OK) return rc;
  rc = store_ensure_quantile_columns(st, labels, n_quant, err);
  if (rc != LIQ_OK) goto fail;
  rc = store_prepare(st->db, st->path,
               "INSERT INTO runs(scenario_name, seed, params, scenario_text,"
               " scenario_path, version, status, started_at, steps, positions,"
               " warnings)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'running', " LIQ_SQL_NOW
               ", ?7, ?8, ?9)",
               0, &run_stmt, "prepare the runs INSERT", err);
  if (rc != LIQ_OK) goto fail;
  store_bind_text(run_stmt, 1, sc->name);
  /* seeds >= 2^63 keep their bit pattern (read back as negative) */
  sqlite3_bind_int64(run_stmt, 2, (sqlite3_int64)seed);
  store_bind_text(run_stmt, 3, sc->params_json ? sc->params_json : "{}");
  store_bind_text(run_stmt, 4, sc->text);
  store_bind_text(run_stmt, 5, sc->path[0] ? sc->path : NULL);
  store_bind_text(run_stmt, 6, LIQ_VERSION);
  store_bind_size(run_stmt, 7, sc->steps);
  store_bind_size(run_stmt, 8, sc->book.positions);
  store_bind_text(run_stmt, 9, sc->warnings[0] ? sc->warnings : NULL);
  rc = store_step_done(st->db, st->path, run_stmt, "insert the run", err);
  sqlite3_finalize(run_stmt);
  run_stmt = NULL;
  if (rc != LIQ_OK) goto fail;
  st->run_id = sqlite3_last_insert_rowid(st->db);
  rc = store_exec_sql(st->db, st->path, "COMMIT", "commit the run", err);
  if (rc != LIQ_OK) {
    st->run_id = 0;
    goto fail;
  }

  /* The row statements.  A failure here leaves a committed runs row:
  ** mark it failed so nothing stays 'running'. */
  rc = store_prepare_row_statements(st, labels, n_quant, err);
  if (rc != LIQ_OK) {
    mark_failed(st, err ? err->msg : "cannot prepare statements", NULL);
    store_finalize_row_statements(st);
    st->run_id = 0;
    return rc;
  }
  st->n_quant = n_quant;
  st->n_pending = 0;
  *run_id = st->run_id;
  return LIQ_OK;

fail:
  sqlite3_finalize(run_stmt);
  store_rollback_quietly(st);
  return rc;
}

int liq_store_step(liq_store *st, const liq_step_row *row, liq_err *err) {
  sqlite3_stmt *p = st->step_stmt;
  size_t i;
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;

  sqlite3_bind_int64(p, 1, st->run_id);
  store_bind_size(p, 2, row->step);
  sqlite3_bind_int64(p, 3, row->t_ms);
  store_bind_double(p, 4, row->price);
  store_bind_double(p, 5, row->price_exogenous);
  store_bind_double(p, 6, row->price_low);
  store_bind_double(p, 7, row->price_high);
  store_bind_size(p, 8, row->liquidations);
  store_bind_size(p, 9, row->liquidations_long);
  store_bind_size(p, 10, row->liquidations_short);
  store_bind_double(p, 11, row->liquidated_notional);
  sqlite3_bind_int(p, 12, row->cascade_rounds);
  store_bind_size(p, 13, row->margin_calls);
  store_bind_double(p, 14, row->insurance_fund);
  store_bind_double(p, 15, row->fees);
  store_bind_double(p, 16, row->bad_debt);
  store_bind_double(p, 17, row->uncovered_loss);
  store_bind_double(p, 18, row->open_interest_long);
  store_bind_double(p, 19, row->open_interest_short);
  store_bind_size(p, 20, row->open_long);
  store_bind_size(p, 21, row->open_short);
  store_bind_size(p, 22, row->partial_liquidations);
  store_bind_double(p, 23, row->funding);
  store_bind_double(p, 24, row->funding_short);
  store_bind_size(p, 25, row->topups);
  store_bind_double(p, 26, row->topup_collateral);
  store_bind_size(p, 27, row->adl_count);
  store_bind_double(p, 28, row->adl_notional);
  store_bind_double(p, 29, row->haircut);
  store_bind_double(p, 30, row->funding_external);
  /* A row with fewer quantiles than the scenario leaves the rest NULL. */
  for (i = 0; i < st->n_quant && i < row->n_quantiles; i++) {
    store_bind_double(p, LIQ_STEP_N_FIXED + 1 + (int)i, row->cushion[i]);
    store_bind_double(p, LIQ_STEP_N_FIXED + 1 + (int)(st->n_quant + i), row->distance[i]);
  }

  rc = store_step_done(st->db, st->path, p, "insert a step row", err);
  if (rc != LIQ_OK) return rc;
  return store_row_end(st, err);
}

/* Bind liquidation row 'row' to the parameters after 'base'. */
static void bind_liquidation(const liq_store *st, sqlite3_stmt *p, int base,
                             const liq_liquidation_row *row) {
  sqlite3_bind_int64(p, base + 1, st->run_id);
  store_bind_size(p, base + 2, row->step);
  sqlite3_bind_int(p, base + 3, row->round);
  store_bind_size(p, base + 4, row->position_id);
  sqlite3_bind_text(p, base + 5, row->side > 0 ? "long" : "short", -1, SQLITE_STATIC);
  store_bind_double(p, base + 6, row->qty);
  store_bind_double(p, base + 7, row->price);
  store_bind_double(p, base + 8, row->trigger_price);
  store_bind_double(p, base + 9, row->liquidation_price);
  store_bind_double(p, base + 10, row->bankruptcy_price);
  store_bind_double(p, base + 11, row->equity);
  store_bind_double(p, base + 12, row->loss);
  store_bind_double(p, base + 13, row->fee);
  store_bind_double(p, base + 14, row->returned);
  store_bind_double(p, base + 15, row->share);
}

/* Insert the buffered liquidation rows, in order: a full group with one
** statement, a rest row by row.  Called before every COMMIT of the run's
** rows (batch or finish). */
static int flush_liquidations(liq_store *st, liq_err *err) {
  size_t i, n = st->n_liq_buf;
  int rc = LIQ_OK;
  st->n_liq_buf = 0;
  if (n == LIQ_STORE_LIQ_GROUP) {
    sqlite3_stmt *p = st->liq_group_stmt;
    for (i = 0; i < n; i++)
      bind_liquidation(st, p, (int)i * LIQ_LIQ_N_COLUMNS, &st->liq_buf[i]);
    /* Every parameter is bound again next time: no clear_bindings. */
    if (sqlite3_step(p) != SQLITE_DONE)
      rc = store_db_error(st->db, st->path, "insert a liquidation row", err);
    sqlite3_reset(p);
    return rc;
  }
  for (i = 0; i < n && rc == LIQ_OK; i++) {
    bind_liquidation(st, st->liq_stmt, 0, &st->liq_buf[i]);
    rc = store_step_done(st->db, st->path, st->liq_stmt, "insert a liquidation row", err);
  }
  return rc;
}

/* Rows are buffered and inserted LIQ_STORE_LIQ_GROUP at a time, in the
** order given, inside the run's open transaction. */
int liq_store_liquidation(liq_store *st, const liq_liquidation_row *row,
                          liq_err *err) {
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;
  st->liq_buf[st->n_liq_buf++] = *row;
  if (st->n_liq_buf == LIQ_STORE_LIQ_GROUP) {
    rc = flush_liquidations(st, err);
    if (rc != LIQ_OK) return rc;
  }
  return store_row_end(st, err);
}

#define LIQ_POS_INSERT                                                      \
  "INSERT OR FAIL INTO positions(run_id, position_id, side, qty, entry,"    \
  " collateral, leverage, liquidation_price, bankruptcy_price) VALUES"
#define LIQ_POS_VALUES    "(?,?,?,?,?,?,?,?,?)"
#define LIQ_POS_N_COLUMNS 9
#define LIQ_POS_GROUP     256      /* rows per INSERT, as for liquidations */

/* Bind position i of b to the parameters after 'base'. */
static void bind_position(const liq_store *st, sqlite3_stmt *p, int base,
                          const liq_book *b, const liq_margin_params *mp, size_t i) {
  sqlite3_bind_int64(p, base + 1, st->run_id);
  store_bind_size(p, base + 2, i);
  sqlite3_bind_text(p, base + 3, b->side[i] > 0 ? "long" : "short", -1, SQLITE_STATIC);
  store_bind_double(p, base + 4, b->qty[i]);
  store_bind_double(p, base + 5, b->entry[i]);
  store_bind_double(p, base + 6, b->collateral[i]);
  store_bind_double(p, base + 7, b->leverage[i]);
  store_bind_double(p, base + 8, liq_margin_rule_liq_price(mp, b->side[i], b->qty[i],
                                                           b->entry[i], b->collateral[i]));
  store_bind_double(p, base + 9, liq_margin_bankruptcy_price(b->side[i], b->qty[i],
                                                             b->entry[i], b->collateral[i]));
}

/* The positions go in LIQ_POS_GROUP at a time (one statement for the
** whole groups, one for the rest), in id order. */
int liq_store_positions(liq_store *st, const liq_book *b,
                        const liq_margin_params *mp, liq_err *err) {
  sqlite3_stmt *group = NULL, *rest = NULL;
  size_t i = 0, k, n_rest = b->n % LIQ_POS_GROUP;
  int rc = row_begin(st, err);
  if (rc == LIQ_OK && b->n >= LIQ_POS_GROUP)
    rc = prepare_rows_insert(st, LIQ_POS_INSERT, LIQ_POS_VALUES, LIQ_POS_GROUP, 0, &group,
                             "prepare the positions INSERT", err);
  if (rc == LIQ_OK && n_rest > 0)
    rc = prepare_rows_insert(st, LIQ_POS_INSERT, LIQ_POS_VALUES, n_rest, 0, &rest,
                             "prepare the positions INSERT", err);
  while (rc == LIQ_OK && i < b->n) {
    sqlite3_stmt *p = b->n - i >= LIQ_POS_GROUP ? group : rest;
    size_t n = p == group ? LIQ_POS_GROUP : n_rest;
    for (k = 0; k < n; k++)
      bind_position(st, p, (int)k * LIQ_POS_N_COLUMNS, b, mp, i + k);
    /* every parameter is bound again next time: no clear_bindings */
    if (sqlite3_step(p) != SQLITE_DONE)
      rc = store_db_error(st->db, st->path, "insert a position", err);
    sqlite3_reset(p);
    i += n;
    st->n_pending += n;
  }
  sqlite3_finalize(group);
  sqlite3_finalize(rest);
  return rc;
}

int liq_store_adl(liq_store *st, const liq_adl_row *row, liq_err *err) {
  sqlite3_stmt *p = st->adl_stmt;
  int rc = row_begin(st, err);
  if (rc != LIQ_OK) return rc;

  sqlite3_bind_int64(p, 1, st->run_id);
  store_bind_size(p, 2, row->step);
  sqlite3_bind_int(p, 3, row->round);
  if (row->position_id == (size_t)-1) {
    sqlite3_bind_null(p, 4);     /* a charge to the whole side row->side */
    sqlite3_bind_text(p, 5, row->side > 0 ? "long" : row->side < 0 ? "short" : "all", -1,
                      SQLITE_STATIC);
  } else {
    store_bind_size(p, 4, row->position_id);
    sqlite3_bind_text(p, 5, row->side > 0 ? "long" : "short", -1, SQLITE_STATIC);
  }
  store_bind_double(p, 6, row->qty);
  store_bind_double(p, 7, row->price);
  store_bind_double(p, 8, row->share);
  store_bind_double(p, 9, row->haircut);
  store_bind_double(p, 10, row->rank_score);

  rc = store_step_done(st->db, st->path, p, "insert an adl row", err);
  if (rc != LIQ_OK) return rc;
  return store_row_end(st, err);
}

/* Insert run 'run_id''s summary row with *stmt (prepared here when NULL,
** left reset for reuse; the caller finalizes it). */
int store_write_summary(liq_store *st, sqlite3_stmt **stmt, int64_t run_id,
                        const liq_summary *sm, liq_err *err) {
  sqlite3_stmt *p;
  int rc = LIQ_OK;
  if (*stmt == NULL)
    rc = store_prepare(st->db, st->path,
               "INSERT INTO summary(run_id, positions, liquidated,"
               " liquidated_long, liquidated_short, liquidated_notional,"
               " margin_calls, bad_debt, uncovered_loss, fees,"
               " insurance_fund_start, insurance_fund_end, insurance_fund_min,"
               " adl_notional, max_cascade_rounds, start_price, min_price,"
               " min_price_exogenous, max_price, max_price_exogenous,"
               " drawdown, drawdown_exogenous, impact_at_low, impact_at_high,"
               " forced_share_of_fall, forced_share_of_rise, steps,"
               " collateral, pnl_closed, pnl_open, returned, open_equity,"
               " partial_liquidations, topups, topup_collateral, funding_long,"
               " funding_short, haircut, adl_count, first_adl_step,"
               " liquidated_without_impact, liquidated_notional_without_impact,"
               " bad_debt_without_impact, funding_external)"
               " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
               "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               SQLITE_PREPARE_PERSISTENT, stmt, "prepare the summary INSERT", err);
  if (rc != LIQ_OK) return rc;
  p = *stmt;
  sqlite3_bind_int64(p, 1, run_id);
  store_bind_size(p, 2, sm->positions);
  store_bind_size(p, 3, sm->liquidated);
  store_bind_size(p, 4, sm->liquidated_long);
  store_bind_size(p, 5, sm->liquidated_short);
  store_bind_double(p, 6, sm->liquidated_notional);
  store_bind_size(p, 7, sm->margin_calls);
  store_bind_double(p, 8, sm->bad_debt);
  store_bind_double(p, 9, sm->uncovered_loss);
  store_bind_double(p, 10, sm->fees);
  store_bind_double(p, 11, sm->insurance_fund_start);
  store_bind_double(p, 12, sm->insurance_fund_end);
  store_bind_double(p, 13, sm->insurance_fund_min);
  store_bind_double(p, 14, sm->adl_notional);
  sqlite3_bind_int(p, 15, sm->max_cascade_rounds);
  store_bind_double(p, 16, sm->start_price);
  store_bind_double(p, 17, sm->min_price);
  store_bind_double(p, 18, sm->min_price_exogenous);
  store_bind_double(p, 19, sm->max_price);
  store_bind_double(p, 20, sm->max_price_exogenous);
  store_bind_double(p, 21, sm->drawdown);
  store_bind_double(p, 22, sm->drawdown_exogenous);
  store_bind_double(p, 23, sm->impact_at_low);
  store_bind_double(p, 24, sm->impact_at_high);
  store_bind_double(p, 25, sm->forced_share_of_fall);
  store_bind_double(p, 26, sm->forced_share_of_rise);
  store_bind_size(p, 27, sm->steps);
  store_bind_double(p, 28, sm->collateral);
  store_bind_double(p, 29, sm->pnl_closed);
  store_bind_double(p, 30, sm->pnl_open);
  store_bind_double(p, 31, sm->returned);
  store_bind_double(p, 32, sm->open_equity);
  store_bind_size(p, 33, sm->partial_liquidations);
  store_bind_size(p, 34, sm->topups);
  store_bind_double(p, 35, sm->topup_collateral);
  store_bind_double(p, 36, sm->funding_long);
  store_bind_double(p, 37, sm->funding_short);
  store_bind_double(p, 38, sm->haircut);
  store_bind_size(p, 39, sm->adl_count);
  if (sm->first_adl_step < 0) sqlite3_bind_null(p, 40);
  else sqlite3_bind_int64(p, 40, sm->first_adl_step);
  if (sm->counterfactual) {
    store_bind_size(p, 41, sm->liquidated_without_impact);
    store_bind_double(p, 42, sm->liquidated_notional_without_impact);
    store_bind_double(p, 43, sm->bad_debt_without_impact);
  } else {
    sqlite3_bind_null(p, 41);
    sqlite3_bind_null(p, 42);
    sqlite3_bind_null(p, 43);
  }
  store_bind_double(p, 44, sm->funding_external);
  return store_step_done(st->db, st->path, p, "insert the summary", err);
}

int liq_store_finish_run(liq_store *st, const liq_summary *sm, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = row_begin(st, err);            /* the run's rows, or a new one */
  if (rc != LIQ_OK) return rc;
  rc = flush_liquidations(st, err);
  if (rc != LIQ_OK) return rc;

  rc = store_write_summary(st, &p, st->run_id, sm, err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) return rc;

  /* positions: the book's size (a book file's is known only now). */
  rc = store_prepare(st->db, st->path,
               "UPDATE runs SET status = 'done', finished_at = " LIQ_SQL_NOW ","
               " positions = ?2 WHERE run_id = ?1",
               0, &p, "prepare the runs UPDATE", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, st->run_id);
  store_bind_size(p, 2, sm->positions);
  rc = store_step_done(st->db, st->path, p, "finish the run", err);
  sqlite3_finalize(p);
  if (rc != LIQ_OK) return rc;
  /* With foreign keys off, this is what keeps rows from outliving their
  ** run: the runs row is there, in the same transaction as the rows. */
  if (sqlite3_changes(st->db) != 1)
    return liq_errf(err, LIQ_DB, st->path, 0, "run %lld was deleted while it ran",
                    (long long)st->run_id);

  rc = store_exec_sql(st->db, st->path, "COMMIT", "commit the run", err);
  if (rc != LIQ_OK) return rc;
  foreign_keys_back_on(st);
  /* Done: the run is no longer active.  On any failure above the run
  ** stays active and the caller may liq_store_fail_run() it. */
  st->run_id = 0;
  st->n_pending = 0;
  store_finalize_row_statements(st);
  return LIQ_OK;
}

int liq_store_fail_run(liq_store *st, const char *why, liq_err *err) {
  int rc;
  if (st->run_id == 0)
    return liq_errf(err, LIQ_USAGE, st->path, 0, "no active run to fail");
  rc = mark_failed(st, why ? why : "unknown error", err);
  st->run_id = 0;
  store_finalize_row_statements(st);
  return rc;
}

/*
** The sink.  Rows are filtered here, so the engine need not know the
** storage settings.  The book as run (ctx->positions) goes in before the
** first row: from the run's writer thread, while the engine runs.
*/
int liq_store_sink_positions(liq_store_sink_ctx *ctx, liq_err *err) {
  const liq_book *b = ctx->positions;
  if (b == NULL) return LIQ_OK;
  ctx->positions = NULL;
  return liq_store_positions(ctx->st, b, &ctx->sc->margin, err);
}

static int sink_step(void *ud, const liq_step_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  int rc = liq_store_sink_positions(ctx, err);
  if (rc != LIQ_OK || !ctx->sc->stats.steps) return rc;
  if (!liq_stats_step_fold(&ctx->interval, &ctx->n_folded, &ctx->sc->stats,
                           ctx->n_steps, row))
    return LIQ_OK;
  return liq_store_step(ctx->st, &ctx->interval, err);
}

static int sink_liquidation(void *ud, const liq_liquidation_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  int rc = liq_store_sink_positions(ctx, err);
  if (rc != LIQ_OK) return rc;
  return liq_store_liquidation(ctx->st, row, err);
}

static int sink_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  liq_store_sink_ctx *ctx = ud;
  int rc = liq_store_sink_positions(ctx, err);
  if (rc != LIQ_OK) return rc;
  return liq_store_adl(ctx->st, row, err);
}

liq_sink liq_store_sink(liq_store_sink_ctx *ctx) {
  liq_sink s;
  int events = ctx->sc->stats.events;
  ctx->n_folded = 0;
  ctx->positions = NULL;
  s.step = sink_step;
  /* Without events no callback: the engine then makes no rows at all. */
  s.liquidation = events ? sink_liquidation : NULL;
  s.adl = events ? sink_adl : NULL;
  s.ud = ctx;
  return s;
}
