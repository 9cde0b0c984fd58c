/*
** store_int.h: library-internal part of the results database, shared by
** store.c (schema, runs and their rows), store_sweep.c (sweeps, tasks,
** aggregates, merge) and store_report.c (the text report), and used by
** the sweep module (sweep_exec.c).  Not for programs: they use liq_store.h.
**
** The store's helpers here record SQLite errors as LIQ_DB with the
** database path (store_db_error()), bind NaN as NULL and sizes as
** INTEGER.
*/
#ifndef LIQ_STORE_INT_H
#define LIQ_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "liq_err.h"
#include "liq_scenario.h"
#include "liq_store.h"

#ifndef LIQ_VERSION
# define LIQ_VERSION "unknown"
#endif

#define LIQ_STORE_BUSY_MS        10000  /* wait this long on a locked database */
#define LIQ_STORE_LIQ_GROUP      256    /* liquidation rows per INSERT statement */

/* ISO-8601 UTC with milliseconds, evaluated by SQLite. */
#define LIQ_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

struct liq_store {
  sqlite3 *db;                 /* the connection */
  char *path;                 /* database path, for error messages (owned) */
  int64_t run_id;                /* the active run, 0 if none */
  size_t n_quant;               /* cushion columns bound by step_stmt */
  size_t n_pending;             /* rows written since the last commit */
  int fk_off;                   /* foreign keys off for the run's row transaction */
  sqlite3_stmt *step_stmt;         /* INSERT INTO steps, for the active run */
  sqlite3_stmt *liq_stmt;          /* INSERT INTO liquidations */
  sqlite3_stmt *liq_group_stmt;    /* the same, LIQ_STORE_LIQ_GROUP rows at once */
  liq_liquidation_row liq_buf[LIQ_STORE_LIQ_GROUP]; /* rows not inserted yet, in order */
  size_t n_liq_buf;
  sqlite3_stmt *adl_stmt;          /* INSERT INTO adl */
  /* sweeps (see the Sweeps section) */
  int in_task;                  /* writing a sweep task: one transaction, no batch commits */
  size_t n_sweep_quant;          /* cushion columns of the sweep's scenario */
  char sweep_labels[LIQ_MAX_QUANTILES][32];
  sqlite3_stmt *task_stmt[4];      /* a sweep task's kept statements: TS_STATUS .. TS_SUMMARY (store_sweep.c) */
  int task_batch;               /* a batch of sweep tasks is open (one transaction) */
};

/* Record the connection's current error as LIQ_DB.  'what' says what
** was being done.  Call it right after the failing call: the message
** belongs to the connection and the next call overwrites it. */
int store_db_error(sqlite3 *db, const char *path, const char *what,
                   liq_err *err);

/* Run one or more statements that return nothing of interest. */
int store_exec_sql(sqlite3 *db, const char *path, const char *sql,
                   const char *what, liq_err *err);

int store_prepare(sqlite3 *db, const char *path, const char *sql,
                  unsigned int flags, sqlite3_stmt **stmt_out /* OUT */,
                  const char *what, liq_err *err);

/* Step a statement that returns no rows, then reset it for reuse. */
int store_step_done(sqlite3 *db, const char *path, sqlite3_stmt *stmt,
                    const char *what, liq_err *err);

/* NaN is stored as NULL: "not defined" (no open position, no drawdown). */
int store_bind_double(sqlite3_stmt *stmt, int i, double v);

int store_bind_size(sqlite3_stmt *stmt, int i, size_t v);

/* Bind a string or NULL; SQLite copies it. */
int store_bind_text(sqlite3_stmt *stmt, int i, const char *z);

/* A REAL column read back, NULL as NaN. */
double store_column_double(sqlite3_stmt *stmt, int i);

const char *store_column_text(sqlite3_stmt *stmt, int i, const char *if_null);

/*
** Fill labels[0..n) with the cushion column suffixes of the scenario's
** quantiles.  Two quantiles that share a label would share a column:
** LIQ_INPUT.
*/
int store_quantile_labels(const liq_scenario *sc, char labels[][32],
                          liq_err *err);

/*
** Add a steps.cushion_<label> REAL column for each label that is not
** there yet (PRAGMA table_info).  Runs inside the caller's write
** transaction, so two processes cannot both add the same column.
*/
int store_ensure_quantile_columns(liq_store *st, char labels[][32], size_t n,
                                  liq_err *err);

/* Prepare the steps and liquidations INSERTs of a run. */
int store_prepare_row_statements(liq_store *st, char labels[][32], size_t n,
                                 liq_err *err);

void store_finalize_row_statements(liq_store *st);

/* Roll back the open transaction, if SQLite has not done so already. */
void store_rollback_quietly(liq_store *st);

/* Insert run 'run_id''s summary row with *stmt (prepared here when NULL,
** left reset for reuse; the caller finalizes it). */
int store_write_summary(liq_store *st, sqlite3_stmt **stmt, int64_t run_id,
                        const liq_summary *sm, liq_err *err);

/* Finalize the sweep task statements (liq_store_close). */
void store_sweep_close(liq_store *st);

/* Count a written row (all of a run's rows commit together). */
int store_row_end(liq_store *st, liq_err *err);

/*
** Sweeps (liq_sweep.h): tables sweeps, tasks, sweep_aggregates; a task's
** runs row carries runs.sweep_id and runs.task_id.
*/
typedef struct liq_store_sweep {   /* borrowed strings */
  const char *scenario_name, *scenario_text, *scenario_path;
  const char *spec;            /* JSON of mode, replicates and axes */
  uint64_t seed;               /* base seed */
  size_t n_tasks, n_points, replicates;
  size_t shard_k, shard_n;     /* this file's shard, 1/1 for all tasks */
} liq_store_sweep;

typedef struct liq_store_task {
  size_t task_id, grid_index, replicate;
  const char *params;          /* JSON of the grid point's overrides */
  uint64_t seed, path_seed, book_seed;
} liq_store_task;

/* One finished task: its runs row, rows and summary. */
typedef struct liq_store_task_rows {
  int64_t sweep_id;
  size_t task_id;
  const char *scenario_name, *scenario_text, *scenario_path;
  const char *params;          /* runs.params: the grid point's overrides */
  uint64_t seed;               /* runs.seed: the base seed */
  size_t steps, positions;
  const char *started_at;      /* ISO-8601 UTC, NULL: now */
  const char *warnings;        /* runs.warnings, NULL for none */
  const liq_step_row *step_rows;
  size_t n_step_rows;
  const liq_liquidation_row *liq_rows;
  size_t n_liq_rows;
  const liq_adl_row *adl_rows;
  size_t n_adl_rows;
  const liq_summary *summary;
} liq_store_task_rows;

/* The largest sweep_id in the database, 0 when there is none. */
int liq_store_sweep_last(liq_store *st, int64_t *sweep_id /* OUT */, liq_err *err);
/* LIQ_INPUT unless sweep 'sweep_id' has want's scenario text, spec and shard. */
int liq_store_sweep_check(liq_store *st, int64_t sweep_id,
                          const liq_store_sweep *want, liq_err *err);
int liq_store_sweep_create(liq_store *st, const liq_store_sweep *sw,
                           int64_t *sweep_id /* OUT */, liq_err *err);
/* Insert the tasks that are not there yet, status 'pending'; one transaction. */
int liq_store_sweep_add_tasks(liq_store *st, int64_t sweep_id,
                              const liq_store_task *t, size_t n, liq_err *err);
/* One axis value of a grid point (table sweep_point_values): 'name' for a
** categorical axis, else the number 'value' (whole numbers as INTEGER). */
typedef struct liq_store_point_value {
  size_t grid_index;
  const char *key;
  const char *name;            /* NULL: a number */
  double value;
} liq_store_point_value;

/* Insert the values that are not there yet; one transaction. */
int liq_store_sweep_add_point_values(liq_store *st, int64_t sweep_id,
                                     const liq_store_point_value *v, size_t n,
                                     liq_err *err);
/* Delete the runs (and rows) of the sweep's tasks that are not done, set
** those tasks 'pending'; one transaction. */
int liq_store_sweep_reset(liq_store *st, int64_t sweep_id, liq_err *err);
/* The ids of shard k/n's tasks that are not done, ascending (*ids: free());
** *n_shard counts the shard's tasks rows. */
int liq_store_sweep_pending(liq_store *st, int64_t sweep_id, size_t shard_k,
                            size_t shard_n, size_t **ids /* OUT */,
                            size_t *n_pending /* OUT */, size_t *n_shard /* OUT */,
                            liq_err *err);
/* Add the cushion columns of sc's quantiles; task rows then carry them. */
int liq_store_sweep_prepare(liq_store *st, const liq_scenario *sc, liq_err *err);
/* Write a finished task and set its status 'done', all or nothing.  A
** task without rows joins the open batch transaction (begun here when
** none is): it is on disk after liq_store_task_commit(); a failure rolls
** the whole batch back.  A task with rows commits the batch, then writes
** in a transaction of its own. */
int liq_store_task_write(liq_store *st, const liq_store_task_rows *r,
                         int64_t *run_id /* OUT */, liq_err *err);
/* Commit the open batch of tasks, if any (on failure it is rolled back). */
int liq_store_task_commit(liq_store *st, liq_err *err);
int liq_store_task_fail(liq_store *st, int64_t sweep_id, size_t task_id,
                        const char *why, liq_err *err);
int liq_store_sweep_counts(liq_store *st, int64_t sweep_id,
                           size_t *n_done /* OUT */, size_t *n_tasks /* OUT */,
                           liq_err *err);
/* Recompute sweep_aggregates for the sweep from its done tasks' summaries
** (nearest-rank quantiles, see liq_stats_describe()). */
int liq_store_sweep_aggregate(liq_store *st, int64_t sweep_id, liq_err *err);
/* The last sweep of the database at 'path' (opened read-only): its id,
** scenario text and spec (free() both).  LIQ_INPUT when it holds none. */
int liq_store_sweep_identity(const char *path, int64_t *sweep_id /* OUT */,
                             char **text /* OUT */, char **spec /* OUT */,
                             liq_err *err);
/* Copy the done tasks of the last sweep in 'in_path' into sweep *sweep_id
** of 'st' (0: the last one, created from the input's when there is none)
** with new run ids; LIQ_INPUT when the input's scenario text or spec
** differ.  *n_copied: tasks copied. */
int liq_store_sweep_merge_from(liq_store *st, const char *in_path,
                               int64_t *sweep_id /* IN/OUT */,
                               size_t *n_copied /* OUT */, liq_err *err);

/* One adl row of the current run (written by the store's sink and by a
** sweep's writer; programs write rows through liq_store_sink()). */
int liq_store_adl(liq_store *st, const liq_adl_row *row, liq_err *err);

/* Copy the database 'from' (its WAL included) into a new file 'to', with
** SQLite's backup API; LIQ_INPUT when 'from' is not a database. */
int liq_store_copy_file(const char *from, const char *to, liq_err *err);

#endif /* LIQ_STORE_INT_H */
