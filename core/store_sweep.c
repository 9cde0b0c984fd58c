/*
** store_sweep.c: the sweep tables of the results database (store_int.h):
** sweeps and tasks, writing a finished task in one transaction, resume,
** the per-grid-point aggregates (rules in stats.c) and merging shard
** databases.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_store.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "liq_stats.h"
#include "stats_int.h"
#include "store_int.h"
#include "liq_sweep.h"

/*
************************************************************************
** Sweeps
**
** A sweep (liq_sweep.h) is a sweeps row, one tasks row per task of the
** file's shard, and one runs row (with its steps, liquidations and
** summary) per done task.  liq_store_task_write() writes a task's runs
** row, rows, summary and its tasks status 'done' in one transaction, so a
** killed process leaves each task either done with all its rows or
** without any: a task with rows in a transaction of its own (the row
** statements and liq_store_finish_run() are shared with single runs;
** 'in_task' keeps store_row_end() from committing mid-task), tasks
** without rows in a batch transaction with kept statements
** (liq_store_task_commit()), since a small task's own commit and
** statement preparation cost about as much as computing it.
************************************************************************
*/

static int sweep_begin(liq_store *st, liq_err *err) {
  return store_exec_sql(st->db, st->path, "BEGIN IMMEDIATE", "begin", err);
}

static int sweep_commit(liq_store *st, const char *what, liq_err *err) {
  int rc = store_exec_sql(st->db, st->path, "COMMIT", what, err);
  if (rc != LIQ_OK) store_rollback_quietly(st);
  return rc;
}

/* Run 'sql' with ?1 = sweep id (and ?2 = 'text', when given). */
static int sweep_exec1(liq_store *st, const char *sql, int64_t sweep_id,
                       const char *text, const char *what, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = store_prepare(st->db, st->path, sql, 0, &p, what, err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  if (text != NULL) store_bind_text(p, 2, text);
  rc = store_step_done(st->db, st->path, p, what, err);
  sqlite3_finalize(p);
  return rc;
}

/* Run one merge statement: ?1 the output's sweep, ?2 the input's, and ?3
** (when the statement has it) a third id. */
static int merge_exec(liq_store *st, const char *sql, int64_t dst_id,
                      int64_t src_id, int64_t third, const char *what,
                      liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = store_prepare(st->db, st->path, sql, 0, &p, what, err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, dst_id);
  sqlite3_bind_int64(p, 2, src_id);
  if (sqlite3_bind_parameter_count(p) >= 3) sqlite3_bind_int64(p, 3, third);
  rc = store_step_done(st->db, st->path, p, what, err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_last(liq_store *st, int64_t *sweep_id, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc;
  *sweep_id = 0;
  rc = store_prepare(st->db, st->path, "SELECT max(sweep_id) FROM sweeps", 0, &p,
               "find the last sweep", err);
  if (rc != LIQ_OK) return rc;
  if (sqlite3_step(p) == SQLITE_ROW) *sweep_id = sqlite3_column_int64(p, 0);
  else rc = store_db_error(st->db, st->path, "find the last sweep", err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_check(liq_store *st, int64_t sweep_id,
                          const liq_store_sweep *want, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc;
  rc = store_prepare(st->db, st->path,
               "SELECT scenario_text, spec, shard_index, shard_count"
               " FROM sweeps WHERE sweep_id = ?1",
               0, &p, "read the sweep", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  if (sqlite3_step(p) != SQLITE_ROW) {
    rc = liq_errf(err, LIQ_INPUT, st->path, 0, "no sweep %lld in the database",
                  (long long)sweep_id);
  } else if (strcmp(store_column_text(p, 0, ""), want->scenario_text) != 0) {
    rc = liq_errf(err, LIQ_INPUT, st->path, 0,
                  "sweep %lld was made from a different scenario text than "
                  "%s (resume with the same file, or sweep into a new --out)",
                  (long long)sweep_id, want->scenario_path);
  } else if (strcmp(store_column_text(p, 1, ""), want->spec) != 0) {
    rc = liq_errf(err, LIQ_INPUT, st->path, 0,
                  "sweep %lld has a different sweep spec (grid, replicates, "
                  "--set or --seed) than %s now: stored %s, now %s",
                  (long long)sweep_id, want->scenario_path,
                  store_column_text(p, 1, ""), want->spec);
  } else if ((size_t)sqlite3_column_int64(p, 2) != want->shard_k ||
             (size_t)sqlite3_column_int64(p, 3) != want->shard_n) {
    rc = liq_errf(err, LIQ_INPUT, st->path, 0,
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
  rc = store_prepare(st->db, st->path,
               "INSERT INTO sweeps(scenario_name, scenario_text, scenario_path,"
               " spec, seed, n_tasks, n_points, replicates, shard_index,"
               " shard_count, created_at, version)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, " LIQ_SQL_NOW
               ", ?11)",
               0, &p, "prepare the sweeps INSERT", err);
  if (rc != LIQ_OK) return rc;
  store_bind_text(p, 1, sw->scenario_name);
  store_bind_text(p, 2, sw->scenario_text);
  store_bind_text(p, 3, sw->scenario_path);
  store_bind_text(p, 4, sw->spec);
  sqlite3_bind_int64(p, 5, (sqlite3_int64)sw->seed);
  store_bind_size(p, 6, sw->n_tasks);
  store_bind_size(p, 7, sw->n_points);
  store_bind_size(p, 8, sw->replicates);
  store_bind_size(p, 9, sw->shard_k);
  store_bind_size(p, 10, sw->shard_n);
  store_bind_text(p, 11, LIQ_VERSION);
  rc = store_step_done(st->db, st->path, p, "insert the sweep", err);
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
  rc = store_prepare(st->db, st->path,
               "INSERT OR IGNORE INTO tasks(sweep_id, task_id, replicate,"
               " grid_index, params, seed, path_seed, book_seed, status)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
               0, &p, "prepare the tasks INSERT", err);
  for (i = 0; i < n && rc == LIQ_OK; i++) {
    sqlite3_bind_int64(p, 1, sweep_id);
    store_bind_size(p, 2, t[i].task_id);
    store_bind_size(p, 3, t[i].replicate);
    store_bind_size(p, 4, t[i].grid_index);
    store_bind_text(p, 5, t[i].params);
    sqlite3_bind_int64(p, 6, (sqlite3_int64)t[i].seed);
    sqlite3_bind_int64(p, 7, (sqlite3_int64)t[i].path_seed);
    sqlite3_bind_int64(p, 8, (sqlite3_int64)t[i].book_seed);
    rc = store_step_done(st->db, st->path, p, "insert a task", err);
  }
  sqlite3_finalize(p);
  if (rc != LIQ_OK) {
    store_rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the tasks", err);
}

int liq_store_sweep_add_point_values(liq_store *st, int64_t sweep_id,
                                     const liq_store_point_value *v, size_t n,
                                     liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t i;
  int rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = store_prepare(st->db, st->path,
               "INSERT OR IGNORE INTO sweep_point_values(sweep_id, grid_index,"
               " key, value) VALUES(?1, ?2, ?3, ?4)",
               0, &p, "prepare the sweep_point_values INSERT", err);
  for (i = 0; i < n && rc == LIQ_OK; i++) {
    sqlite3_bind_int64(p, 1, sweep_id);
    store_bind_size(p, 2, v[i].grid_index);
    store_bind_text(p, 3, v[i].key);
    if (v[i].name != NULL)
      store_bind_text(p, 4, v[i].name);
    else if (v[i].value == floor(v[i].value) && fabs(v[i].value) < 9.0e15)
      sqlite3_bind_int64(p, 4, (sqlite3_int64)v[i].value);
    else
      store_bind_double(p, 4, v[i].value);
    rc = store_step_done(st->db, st->path, p, "insert a sweep point value", err);
  }
  sqlite3_finalize(p);
  if (rc != LIQ_OK) {
    store_rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the sweep point values", err);
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
    store_rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the cleared tasks", err);
}

int liq_store_sweep_pending(liq_store *st, int64_t sweep_id, size_t shard_k,
                            size_t shard_n, size_t **ids, size_t *n_pending,
                            size_t *n_shard, liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t n = 0, n_alloc = 0, n_all = 0;
  size_t *a = NULL;
  int rc, src;
  *ids = NULL;
  *n_pending = 0;
  *n_shard = 0;
  if (shard_n == 0) shard_k = shard_n = 1;
  rc = store_prepare(st->db, st->path,
               "SELECT task_id, status = 'done' FROM tasks"
               " WHERE sweep_id = ?1 AND task_id % ?2 = ?3 ORDER BY task_id",
               0, &p, "read the tasks", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  store_bind_size(p, 2, shard_n);
  store_bind_size(p, 3, shard_k - 1);
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    n_all++;
    if (sqlite3_column_int(p, 1)) continue;
    if (n == n_alloc) {
      size_t n_new = n_alloc ? 2 * n_alloc : 256;
      size_t *grown = realloc(a, n_new * sizeof *grown);
      if (grown == NULL) {
        rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
        break;
      }
      a = grown;
      n_alloc = n_new;
    }
    a[n++] = (size_t)sqlite3_column_int64(p, 0);
  }
  if (rc == LIQ_OK && src != SQLITE_DONE)
    rc = store_db_error(st->db, st->path, "read the tasks", err);
  sqlite3_finalize(p);
  if (rc != LIQ_OK) {
    free(a);
    return rc;
  }
  *ids = a;
  *n_pending = n;
  *n_shard = n_all;
  return LIQ_OK;
}

int liq_store_sweep_prepare(liq_store *st, const liq_scenario *sc,
                            liq_err *err) {
  size_t n_quant = sc->stats.n_quantiles;
  int rc;
  if (n_quant > LIQ_MAX_QUANTILES)
    return liq_errf(err, LIQ_INPUT, sc->path, 0, "%zu quantiles (at most %d)",
                    n_quant, LIQ_MAX_QUANTILES);
  rc = store_quantile_labels(sc, st->sweep_labels, err);
  if (rc != LIQ_OK) return rc;
  st->n_sweep_quant = n_quant;
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = store_ensure_quantile_columns(st, st->sweep_labels, n_quant, err);
  if (rc != LIQ_OK) {
    store_rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the quantile columns", err);
}

/* The runs INSERT's parameters ?1..?12 for task r; 'positions' is the
** book's size. */
static void bind_task_run(sqlite3_stmt *p, const liq_store_task_rows *r,
                          size_t positions) {
  sqlite3_bind_int64(p, 1, r->sweep_id);
  store_bind_size(p, 2, r->task_id);
  store_bind_text(p, 3, r->scenario_name);
  sqlite3_bind_int64(p, 4, (sqlite3_int64)r->seed);
  store_bind_text(p, 5, r->params ? r->params : "{}");
  store_bind_text(p, 6, r->scenario_text);
  store_bind_text(p, 7, r->scenario_path && r->scenario_path[0] ? r->scenario_path
                                                          : NULL);
  store_bind_text(p, 8, LIQ_VERSION);
  store_bind_text(p, 9, r->started_at);
  store_bind_size(p, 10, r->steps);
  store_bind_size(p, 11, positions);
  store_bind_text(p, 12, r->warnings);
}

/* A task with rows: its own transaction (the row statements are the
** single runs'). */
static int task_write_rows(liq_store *st, const liq_store_task_rows *r,
                           int64_t *run_id, liq_err *err) {
  sqlite3_stmt *p = NULL;
  size_t i;
  int rc;

  *run_id = 0;
  if (st->run_id != 0)
    return liq_errf(err, LIQ_USAGE, st->path, 0, "run %lld is still active",
                    (long long)st->run_id);
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  /* Another process resuming the same sweep may have written this task
  ** meanwhile: then keep its rows and drop ours (*run_id stays 0). */
  rc = store_prepare(st->db, st->path,
               "SELECT status = 'done' FROM tasks WHERE sweep_id = ?1 AND task_id = ?2",
               0, &p, "read the task's status", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  store_bind_size(p, 2, r->task_id);
  if (sqlite3_step(p) == SQLITE_ROW && sqlite3_column_int(p, 0)) {
    sqlite3_finalize(p);
    store_rollback_quietly(st);
    return LIQ_OK;
  }
  sqlite3_finalize(p);
  p = NULL;
  rc = store_prepare(st->db, st->path,
               "INSERT INTO runs(sweep_id, task_id, scenario_name, seed, params,"
               " scenario_text, scenario_path, version, status, started_at,"
               " steps, positions, warnings)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running',"
               " coalesce(?9, " LIQ_SQL_NOW "), ?10, ?11, ?12)",
               0, &p, "prepare the runs INSERT", err);
  if (rc != LIQ_OK) goto fail;
  bind_task_run(p, r, r->positions);
  rc = store_step_done(st->db, st->path, p, "insert the task's run", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;
  st->run_id = sqlite3_last_insert_rowid(st->db);

  store_finalize_row_statements(st);
  rc = store_prepare_row_statements(st, st->sweep_labels, st->n_sweep_quant, err);
  if (rc != LIQ_OK) goto fail;
  st->n_quant = st->n_sweep_quant;
  st->n_pending = 0;
  st->in_task = 1;
  for (i = 0; i < r->n_step_rows && rc == LIQ_OK; i++)
    rc = liq_store_step(st, &r->step_rows[i], err);
  for (i = 0; i < r->n_liq_rows && rc == LIQ_OK; i++)
    rc = liq_store_liquidation(st, &r->liq_rows[i], err);
  for (i = 0; i < r->n_adl_rows && rc == LIQ_OK; i++)
    rc = liq_store_adl(st, &r->adl_rows[i], err);
  if (rc != LIQ_OK) goto fail;

  rc = store_prepare(st->db, st->path,
               "UPDATE tasks SET status = 'done', run_id = ?3, error = NULL"
               " WHERE sweep_id = ?1 AND task_id = ?2",
               0, &p, "prepare the tasks UPDATE", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  store_bind_size(p, 2, r->task_id);
  sqlite3_bind_int64(p, 3, st->run_id);
  rc = store_step_done(st->db, st->path, p, "mark the task done", err);
  if (rc == LIQ_OK && sqlite3_changes(st->db) != 1)
    rc = liq_errf(err, LIQ_DB, st->path, 0, "sweep %lld has no task %zu",
                  (long long)r->sweep_id, r->task_id);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) goto fail;

  *run_id = st->run_id;
  /* The summary, status 'done' and the COMMIT of all of the above. */
  rc = liq_store_finish_run(st, r->summary, err);
  if (rc != LIQ_OK) {
    *run_id = 0;
    goto fail;
  }
  st->in_task = 0;
  return LIQ_OK;

fail:
  sqlite3_finalize(p);
  store_rollback_quietly(st);
  st->in_task = 0;
  st->run_id = 0;
  st->n_pending = 0;
  store_finalize_row_statements(st);
  return rc;
}

/* The kept statements of a task without rows. */
enum { TS_STATUS, TS_RUN, TS_DONE, TS_SUMMARY };

static const char *const azTaskSql[TS_SUMMARY] = {
  "SELECT status = 'done' FROM tasks WHERE sweep_id = ?1 AND task_id = ?2",
  /* status 'done' at once: the run, its summary and the task's status
  ** commit together or not at all */
  "INSERT INTO runs(sweep_id, task_id, scenario_name, seed, params,"
  " scenario_text, scenario_path, version, status, started_at, finished_at,"
  " steps, positions, warnings)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'done',"
  " coalesce(?9, " LIQ_SQL_NOW "), " LIQ_SQL_NOW ", ?10, ?11, ?12)",
  "UPDATE tasks SET status = 'done', run_id = ?3, error = NULL"
  " WHERE sweep_id = ?1 AND task_id = ?2"};

static int task_stmt(liq_store *st, int which, sqlite3_stmt **out, liq_err *err) {
  int rc = LIQ_OK;
  if (st->task_stmt[which] == NULL)
    rc = store_prepare(st->db, st->path, azTaskSql[which], SQLITE_PREPARE_PERSISTENT,
                       &st->task_stmt[which], "prepare a sweep task statement", err);
  *out = st->task_stmt[which];
  return rc;
}

void store_sweep_close(liq_store *st) {
  size_t i;
  for (i = 0; i < sizeof st->task_stmt / sizeof st->task_stmt[0]; i++) {
    sqlite3_finalize(st->task_stmt[i]);
    st->task_stmt[i] = NULL;
  }
  st->task_batch = 0;
}

int liq_store_task_commit(liq_store *st, liq_err *err) {
  if (!st->task_batch) return LIQ_OK;
  st->task_batch = 0;
  return sweep_commit(st, "commit a batch of tasks", err);
}

/* A task without rows, into the open batch. */
static int task_write_batched(liq_store *st, const liq_store_task_rows *r,
                              int64_t *run_id, liq_err *err) {
  const liq_summary *sm = r->summary;
  sqlite3_stmt *p = NULL;
  int64_t id;
  int rc = LIQ_OK, done;

  if (!st->task_batch) {
    rc = sweep_begin(st, err);
    if (rc != LIQ_OK) return rc;
    st->task_batch = 1;
  }
  /* Another process resuming the same sweep may have written this task
  ** meanwhile: then keep its rows and drop ours (*run_id stays 0). */
  rc = task_stmt(st, TS_STATUS, &p, err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  store_bind_size(p, 2, r->task_id);
  done = sqlite3_step(p) == SQLITE_ROW && sqlite3_column_int(p, 0);
  sqlite3_reset(p);
  if (done) return LIQ_OK;

  rc = task_stmt(st, TS_RUN, &p, err);
  if (rc != LIQ_OK) goto fail;
  bind_task_run(p, r, sm->positions);   /* the book's size */
  rc = store_step_done(st->db, st->path, p, "insert the task's run", err);
  if (rc != LIQ_OK) goto fail;
  id = sqlite3_last_insert_rowid(st->db);

  rc = task_stmt(st, TS_DONE, &p, err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, r->sweep_id);
  store_bind_size(p, 2, r->task_id);
  sqlite3_bind_int64(p, 3, id);
  rc = store_step_done(st->db, st->path, p, "mark the task done", err);
  if (rc == LIQ_OK && sqlite3_changes(st->db) != 1)
    rc = liq_errf(err, LIQ_DB, st->path, 0, "sweep %lld has no task %zu",
                  (long long)r->sweep_id, r->task_id);
  if (rc != LIQ_OK) goto fail;

  rc = store_write_summary(st, &st->task_stmt[TS_SUMMARY], id, sm, err);
  if (rc != LIQ_OK) goto fail;
  *run_id = id;
  return LIQ_OK;

fail:
  store_rollback_quietly(st);
  st->task_batch = 0;
  return rc;
}

int liq_store_task_write(liq_store *st, const liq_store_task_rows *r,
                         int64_t *run_id, liq_err *err) {
  int rc;
  *run_id = 0;
  if (st->run_id != 0)
    return liq_errf(err, LIQ_USAGE, st->path, 0, "run %lld is still active",
                    (long long)st->run_id);
  if (r->n_step_rows + r->n_liq_rows + r->n_adl_rows == 0)
    return task_write_batched(st, r, run_id, err);
  rc = liq_store_task_commit(st, err);
  if (rc != LIQ_OK) return rc;
  return task_write_rows(st, r, run_id, err);
}

int liq_store_task_fail(liq_store *st, int64_t sweep_id, size_t task_id,
                        const char *why, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = store_prepare(st->db, st->path,
                   "UPDATE tasks SET status = 'failed', error = ?3"
                   " WHERE sweep_id = ?1 AND task_id = ?2 AND status <> 'done'",
                   0, &p, "prepare the tasks UPDATE", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  store_bind_size(p, 2, task_id);
  store_bind_text(p, 3, why ? why : "unknown error");
  rc = store_step_done(st->db, st->path, p, "mark the task failed", err);
  sqlite3_finalize(p);
  return rc;
}

int liq_store_sweep_counts(liq_store *st, int64_t sweep_id, size_t *n_done,
                           size_t *n_tasks, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = store_prepare(st->db, st->path,
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
    rc = liq_errf(err, LIQ_DB, st->path, 0, "no sweep %lld",
                  (long long)sweep_id);
  }
  sqlite3_finalize(p);
  return rc;
}

/* One sweep_aggregates row: the point's aggregates (rules in stats.c). */
static int agg_write(liq_store *st, sqlite3_stmt *ins, int64_t sweep_id,
                     sqlite3_int64 grid_index, const char *params,
                     liq_stats_point *pt, liq_err *err) {
  liq_stats_point_result r;
  const double *b = r.bad_debt, *u = r.uncovered_loss, *nl = r.liquidated_notional;
  const double *ro = r.max_cascade_rounds;
  int k = 1;
  liq_stats_point_finish(pt, &r);
  sqlite3_bind_int64(ins, k++, sweep_id);
  sqlite3_bind_int64(ins, k++, grid_index);
  store_bind_text(ins, k++, params);
  store_bind_size(ins, k++, r.n);
  store_bind_double(ins, k++, b[0]);
  store_bind_double(ins, k++, b[1]);
  store_bind_double(ins, k++, b[2]);
  store_bind_double(ins, k++, b[3]);
  store_bind_double(ins, k++, r.bad_debt_probability);
  store_bind_double(ins, k++, u[0]);
  store_bind_double(ins, k++, r.uncovered_loss_probability);
  store_bind_double(ins, k++, nl[0]);
  store_bind_double(ins, k++, nl[1]);
  store_bind_double(ins, k++, nl[2]);
  store_bind_double(ins, k++, nl[3]);
  store_bind_double(ins, k++, r.impact_at_low[0]);
  store_bind_double(ins, k++, r.impact_at_low[1]);
  store_bind_double(ins, k++, r.impact_at_high[0]);
  store_bind_double(ins, k++, r.impact_at_high[1]);
  store_bind_size(ins, k++, r.forced_share_of_fall_n);
  store_bind_double(ins, k++, r.forced_share_of_fall[0]);
  store_bind_size(ins, k++, r.forced_share_of_rise_n);
  store_bind_double(ins, k++, r.forced_share_of_rise[0]);
  store_bind_size(ins, k++, r.counterfactual_n);
  store_bind_double(ins, k++, r.liquidated[0]);
  store_bind_double(ins, k++, r.liquidated_without_impact[0]);
  store_bind_double(ins, k++, r.liquidated_notional_without_impact[0]);
  store_bind_double(ins, k++, r.liquidated_notional_without_impact[2]);
  store_bind_double(ins, k++, r.bad_debt_without_impact[0]);
  store_bind_double(ins, k++, r.bad_debt_without_impact[2]);
  store_bind_double(ins, k++, ro[0]);
  store_bind_double(ins, k++, ro[1]);
  store_bind_double(ins, k++, ro[2]);
  store_bind_double(ins, k++, ro[3]);
  store_bind_double(ins, k++, b[2]);
  store_bind_double(ins, k++, nl[2]);
  return store_step_done(st->db, st->path, ins, "insert an aggregate", err);
}

int liq_store_sweep_aggregate(liq_store *st, int64_t sweep_id, liq_err *err) {
  sqlite3_stmt *sel = NULL, *ins = NULL;
  liq_stats_point g;
  sqlite3_int64 grid_index = -1;
  char *params = NULL;
  int rc, src, nomem = 0;

  memset(&g, 0, sizeof g);
  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) return rc;
  rc = sweep_exec1(st, "DELETE FROM sweep_aggregates WHERE sweep_id = ?1",
                   sweep_id, NULL, "clear the aggregates", err);
  if (rc == LIQ_OK)
    rc = store_prepare(st->db, st->path,
                 "SELECT t.grid_index, t.params, s.bad_debt, s.uncovered_loss,"
                 " s.liquidated_notional, s.max_cascade_rounds, s.liquidated,"
                 " s.impact_at_low, s.impact_at_high, s.forced_share_of_fall,"
                 " s.forced_share_of_rise, s.liquidated_without_impact,"
                 " s.liquidated_notional_without_impact, s.bad_debt_without_impact"
                 " FROM tasks t JOIN summary s ON s.run_id = t.run_id"
                 " WHERE t.sweep_id = ?1 AND t.status = 'done'"
                 " ORDER BY t.grid_index, t.task_id",
                 0, &sel, "read the task summaries", err);
  if (rc == LIQ_OK)
    rc = store_prepare(st->db, st->path,
                 "INSERT INTO sweep_aggregates(sweep_id, grid_index, params, n,"
                 " bad_debt_mean, bad_debt_q50, bad_debt_q95, bad_debt_q99,"
                 " bad_debt_probability, uncovered_loss_mean,"
                 " uncovered_loss_probability, liquidated_notional_mean,"
                 " liquidated_notional_q50, liquidated_notional_q95,"
                 " liquidated_notional_q99, impact_at_low_mean,"
                 " impact_at_low_q50, impact_at_high_mean, impact_at_high_q50,"
                 " forced_share_of_fall_n, forced_share_of_fall_mean,"
                 " forced_share_of_rise_n, forced_share_of_rise_mean,"
                 " counterfactual_n, liquidated_mean,"
                 " liquidated_without_impact_mean,"
                 " liquidated_notional_without_impact_mean,"
                 " liquidated_notional_without_impact_q95,"
                 " bad_debt_without_impact_mean, bad_debt_without_impact_q95,"
                 " max_cascade_rounds_mean,"
                 " max_cascade_rounds_q50, max_cascade_rounds_q95,"
                 " max_cascade_rounds_q99, var95_bad_debt,"
                 " lar95_liquidated_notional)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 0, &ins, "prepare the aggregates INSERT", err);
  if (rc != LIQ_OK) goto done;
  sqlite3_bind_int64(sel, 1, sweep_id);
  while ((src = sqlite3_step(sel)) == SQLITE_ROW) {
    sqlite3_int64 row_id = sqlite3_column_int64(sel, 0);
    liq_stats_replicate rep;
    if (row_id != grid_index) {
      if (grid_index >= 0) {
        rc = agg_write(st, ins, sweep_id, grid_index, params, &g, err);
        if (rc != LIQ_OK) goto done;
      }
      liq_stats_point_reset(&g);
      grid_index = row_id;
      sqlite3_free(params);
      params = sqlite3_mprintf("%s", store_column_text(sel, 1, "{}"));
      if (params == NULL) nomem = 1;
    }
    rep.bad_debt = store_column_double(sel, 2);
    rep.uncovered_loss = store_column_double(sel, 3);
    rep.liquidated_notional = store_column_double(sel, 4);
    rep.max_cascade_rounds = store_column_double(sel, 5);
    rep.liquidated = store_column_double(sel, 6);
    rep.impact_at_low = store_column_double(sel, 7);
    rep.impact_at_high = store_column_double(sel, 8);
    rep.forced_share_of_fall = store_column_double(sel, 9);
    rep.forced_share_of_rise = store_column_double(sel, 10);
    rep.liquidated_without_impact = store_column_double(sel, 11);
    rep.liquidated_notional_without_impact = store_column_double(sel, 12);
    rep.bad_debt_without_impact = store_column_double(sel, 13);
    nomem |= liq_stats_point_add(&g, &rep) != LIQ_OK;
    if (nomem) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto done;
    }
  }
  if (src != SQLITE_DONE) {
    rc = store_db_error(st->db, st->path, "read the task summaries", err);
    goto done;
  }
  if (grid_index >= 0) rc = agg_write(st, ins, sweep_id, grid_index, params, &g, err);

done:
  sqlite3_finalize(sel);
  sqlite3_finalize(ins);
  sqlite3_free(params);
  liq_stats_point_free(&g);
  if (rc != LIQ_OK) {
    store_rollback_quietly(st);
    return rc;
  }
  return sweep_commit(st, "commit the aggregates", err);
}

/*
************************************************************************
** Checking a merge input: a shard file is input, so a crafted or damaged
** one is LIQ_INPUT naming the file and what is wrong.
************************************************************************
*/

/* The first row of 'sql' (bound ?1 = sweep_id) as an integer in *v;
** 0 when there is no row. */
static int check_query(sqlite3 *db, const char *path, const char *sql,
                       int64_t sweep_id, int64_t *v, int *found, liq_err *err) {
  sqlite3_stmt *q = NULL;
  int src;
  *found = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
    return liq_errf(err, LIQ_INPUT, path, 0, "not a liqsim sweep database: %s",
                    sqlite3_errmsg(db));
  if (sqlite3_bind_parameter_count(q) >= 1) sqlite3_bind_int64(q, 1, sweep_id);
  if (sqlite3_bind_parameter_count(q) >= 2)
    sqlite3_bind_int64(q, 2, LIQ_SWEEP_MAX_TASKS);
  src = sqlite3_step(q);
  if (src == SQLITE_ROW) {
    *found = 1;
    *v = sqlite3_column_int64(q, 0);
  } else if (src != SQLITE_DONE) {
    int rc = liq_errf(err, LIQ_INPUT, path, 0, "not a liqsim sweep database: %s",
                      sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return rc;
  }
  sqlite3_finalize(q);
  return LIQ_OK;
}

static int check_input_sweep(sqlite3 *db, const char *path, int64_t id,
                             liq_err *err) {
  static const char *const tables[] = {"meta", "sweeps", "tasks", "runs",
                                       "summary", "steps", "liquidations", "adl"};
  /* each query yields a row only when something is wrong */
  static const struct { const char *sql, *what; } bad[] = {
    {"SELECT 1 FROM sweeps WHERE sweep_id = ?1 AND NOT ("
     "typeof(n_tasks) = 'integer' AND typeof(n_points) = 'integer' AND"
     " typeof(replicates) = 'integer' AND typeof(seed) = 'integer' AND"
     " typeof(shard_index) = 'integer' AND typeof(shard_count) = 'integer'"
     " AND typeof(scenario_text) = 'text' AND typeof(spec) = 'text'"
     " AND n_points >= 1 AND replicates >= 1 AND n_tasks >= 1"
     " AND n_tasks <= ?2"
     " AND n_tasks = n_points * replicates"
     " AND shard_count >= 1 AND shard_index >= 1 AND shard_index <= shard_count)",
     "its sweeps row has impossible values (n_tasks, n_points, replicates, "
     "seed or shard out of range or not integers)"},
    {"SELECT t.task_id FROM tasks t, sweeps s WHERE s.sweep_id = ?1 AND"
     " t.sweep_id = ?1 AND NOT (typeof(t.task_id) = 'integer' AND"
     " t.task_id >= 0 AND t.task_id < s.n_tasks) LIMIT 1",
     "a task id outside [0, n_tasks)"},
    {"SELECT t.task_id FROM tasks t, sweeps s WHERE s.sweep_id = ?1 AND"
     " t.sweep_id = ?1 AND NOT (typeof(t.grid_index) = 'integer' AND"
     " typeof(t.replicate) = 'integer' AND t.grid_index >= 0 AND"
     " t.grid_index < s.n_points AND t.replicate >= 0 AND"
     " t.replicate < s.replicates AND"
     " t.task_id = t.grid_index * s.replicates + t.replicate) LIMIT 1",
     "a grid_index or replicate outside the sweep's plan (task_id = "
     "grid_index * replicates + replicate)"},
    {"SELECT t.task_id FROM tasks t WHERE t.sweep_id = ?1 AND t.status = 'done'"
     " AND (t.run_id IS NULL OR NOT EXISTS (SELECT 1 FROM runs r WHERE"
     " r.run_id = t.run_id AND r.sweep_id = ?1 AND r.task_id = t.task_id AND"
     " r.status = 'done') OR NOT EXISTS (SELECT 1 FROM summary m WHERE"
     " m.run_id = t.run_id)) LIMIT 1",
     "a done task without its run or its summary row"},
    {"SELECT t.run_id FROM tasks t WHERE t.sweep_id = ?1 AND t.status = 'done'"
     " GROUP BY t.run_id HAVING count(*) > 1 LIMIT 1",
     "two done tasks share one run"},
  };
  size_t i;
  int64_t v = 0;
  int found, rc;
  for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM sqlite_master WHERE type = "
             "'table' AND name = '%s'", tables[i]);
    rc = check_query(db, path, sql, 0, &v, &found, err);
    if (rc != LIQ_OK) return rc;
    if (!found)
      return liq_errf(err, LIQ_INPUT, path, 0, "not a liqsim sweep database "
                      "(it has no %s table)", tables[i]);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rc = check_query(db, path, bad[i].sql, id, &v, &found, err);
    if (rc != LIQ_OK) return rc;
    if (found && i == 0)
      return liq_errf(err, LIQ_INPUT, path, 0, "%s", bad[i].what);
    if (found)
      return liq_errf(err, LIQ_INPUT, path, 0, "%s (%s %lld)", bad[i].what,
                      i == sizeof bad / sizeof bad[0] - 1 ? "run" : "task",
                      (long long)v);
  }
  return LIQ_OK;
}

int liq_store_sweep_identity(const char *path, int64_t *sweep_id,
                             char **text, char **spec, liq_err *err) {
  sqlite3 *in_db = NULL;
  sqlite3_stmt *p = NULL;
  int rc = LIQ_OK;
  *sweep_id = 0;
  *text = *spec = NULL;
  if (sqlite3_open_v2(path, &in_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot open database: %s",
                  in_db ? sqlite3_errmsg(in_db) : "out of memory");
    sqlite3_close_v2(in_db);
    return rc;
  }
  sqlite3_busy_timeout(in_db, LIQ_STORE_BUSY_MS);
  /* No sweeps table (or not a database at all): not a sweep database. */
  if (sqlite3_prepare_v2(in_db,
                         "SELECT sweep_id, scenario_text, spec FROM sweeps"
                         " ORDER BY sweep_id DESC LIMIT 1",
                         -1, &p, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_INPUT, path, 0, "not a liqsim sweep database: %s",
                  sqlite3_errmsg(in_db));
  } else if (sqlite3_step(p) != SQLITE_ROW) {
    rc = liq_errf(err, LIQ_INPUT, path, 0, "the database holds no sweep");
  } else {
    const char *text_col = store_column_text(p, 1, "");
    const char *spec_col = store_column_text(p, 2, "");
    *sweep_id = sqlite3_column_int64(p, 0);
    *text = malloc(strlen(text_col) + 1);
    *spec = malloc(strlen(spec_col) + 1);
    if (*text == NULL || *spec == NULL) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      free(*text);
      free(*spec);
      *text = *spec = NULL;
    } else {
      strcpy(*text, text_col);
      strcpy(*spec, spec_col);
    }
  }
  sqlite3_finalize(p);
  if (rc == LIQ_OK) rc = check_input_sweep(in_db, path, *sweep_id, err);
  if (rc != LIQ_OK) {
    free(*text);
    free(*spec);
    *text = *spec = NULL;
  }
  sqlite3_close_v2(in_db);
  return rc;
}

/* The columns of schema db_name's table table: names and declared types. */
typedef struct col_list {
  char **azName;
  char **azType;
  int n;
} col_list;

static void collist_free(col_list *c) {
  int i;
  for (i = 0; i < c->n; i++) {
    sqlite3_free(c->azName[i]);
    sqlite3_free(c->azType[i]);
  }
  sqlite3_free(c->azName);
  sqlite3_free(c->azType);
  memset(c, 0, sizeof *c);
}

static int collist_read(liq_store *st, const char *db_name, const char *table,
                        col_list *c, liq_err *err) {
  sqlite3_stmt *p = NULL;
  char *sql = sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", db_name, table);
  int rc, src;
  memset(c, 0, sizeof *c);
  if (sql == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  rc = store_prepare(st->db, st->path, sql, 0, &p, "read the columns", err);
  sqlite3_free(sql);
  if (rc != LIQ_OK) return rc;
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    char **azN = sqlite3_realloc64(c->azName, (sqlite3_uint64)(c->n + 1) * sizeof *azN);
    char **azT;
    if (azN == NULL) break;
    c->azName = azN;
    azT = sqlite3_realloc64(c->azType, (sqlite3_uint64)(c->n + 1) * sizeof *azT);
    if (azT == NULL) break;
    c->azType = azT;
    c->azName[c->n] = sqlite3_mprintf("%s", store_column_text(p, 1, ""));
    c->azType[c->n] = sqlite3_mprintf("%s", store_column_text(p, 2, ""));
    c->n++;
    if (c->azName[c->n - 1] == NULL || c->azType[c->n - 1] == NULL) break;
  }
  if (src == SQLITE_ROW) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  } else if (src != SQLITE_DONE) {
    rc = store_db_error(st->db, st->path, "read the columns", err);
  }
  sqlite3_finalize(p);
  if (rc != LIQ_OK) collist_free(c);
  return rc;
}

static int collist_has(const col_list *c, const char *col_name) {
  int i;
  for (i = 0; i < c->n; i++)
    if (sqlite3_stricmp(c->azName[i], col_name) == 0) return 1;
  return 0;
}

/*
** Copy the rows of src.table that belong to the runs in temp.merge_map
** into main.table with their new run_id (and, for runs, the new sweep_id
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

static int merge_copy(liq_store *st, const char *table, int64_t sweep_id,
                      liq_err *err) {
  col_list cSrc, cMain;
  sqlite3_str *cols_stmt = NULL, *sel = NULL;
  char *cols = NULL, *select_sql = NULL, *sql = NULL;
  int isRuns = strcmp(table, "runs") == 0;
  int i, rc;

  rc = collist_read(st, "src", table, &cSrc, err);
  if (rc != LIQ_OK) return rc;
  rc = collist_read(st, "main", table, &cMain, err);
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
      rc = liq_errf(err, LIQ_INPUT, st->path, 0,
                    "input column %s.%s has an unexpected type \"%s\"", table,
                    cSrc.azName[i], cSrc.azType[i]);
      break;
    }
    sql = sqlite3_mprintf("ALTER TABLE main.\"%w\" ADD COLUMN \"%w\" %s", table,
                           cSrc.azName[i], cSrc.azType[i]);
    rc = sql ? store_exec_sql(st->db, st->path, sql, "add a column", err)
              : liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    sqlite3_free(sql);
    sql = NULL;
  }
  cols_stmt = sqlite3_str_new(st->db);
  sel = sqlite3_str_new(st->db);
  sqlite3_str_appendf(cols_stmt, "run_id");
  sqlite3_str_appendf(sel, "m.new");
  if (isRuns) {
    sqlite3_str_appendf(cols_stmt, ", sweep_id");
    sqlite3_str_appendf(sel, ", ?1");
  }
  for (i = 0; i < cSrc.n; i++) {
    const char *z = cSrc.azName[i];
    if (sqlite3_stricmp(z, "run_id") == 0) continue;
    if (isRuns && sqlite3_stricmp(z, "sweep_id") == 0) continue;
    sqlite3_str_appendf(cols_stmt, ", \"%w\"", z);
    sqlite3_str_appendf(sel, ", s.\"%w\"", z);
  }
  cols = sqlite3_str_finish(cols_stmt);
  select_sql = sqlite3_str_finish(sel);
  if (rc == LIQ_OK && (cols == NULL || select_sql == NULL))
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (rc == LIQ_OK) {
    sql = sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s FROM"
                           " src.\"%w\" s JOIN temp.merge_map m"
                           " ON m.old = s.run_id ORDER BY m.new",
                           table, cols, select_sql, table);
    rc = sql ? sweep_exec1(st, sql, sweep_id, NULL, "copy the rows", err)
              : liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  sqlite3_free(sql);
  sqlite3_free(cols);
  sqlite3_free(select_sql);
  collist_free(&cSrc);
  collist_free(&cMain);
  return rc;
}

/* "file:PATH?mode=ro" with PATH percent-encoded (SQLite URI filenames). */
static char *readonly_uri(const char *path) {
  sqlite3_str *p = sqlite3_str_new(NULL);
  const unsigned char *z = (const unsigned char *)path;
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
  sqlite3_int64 src_id = 0, base_id = 0;
  int rc, attached = 0, same = 0;

  *n_copied = 0;
  /* Read-only: merging never writes to (or waits on a writer of) an input. */
  rc = store_prepare(st->db, st->path, "ATTACH ?1 AS src", 0, &p,
               "attach the input", err);
  if (rc != LIQ_OK) return rc;
  {
    char *uri = readonly_uri(in_path);
    if (uri == NULL) {
      sqlite3_finalize(p);
      return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    }
    sqlite3_bind_text(p, 1, uri, -1, sqlite3_free);
  }
  rc = store_step_done(st->db, st->path, p, "attach the input", err);
  sqlite3_finalize(p);
  p = NULL;
  if (rc != LIQ_OK) return rc;
  attached = 1;

  rc = sweep_begin(st, err);
  if (rc != LIQ_OK) goto out;
  rc = store_prepare(st->db, in_path, "SELECT max(sweep_id) FROM src.sweeps", 0, &p,
               "not a liqsim sweep database", err);
  if (rc != LIQ_OK) {
    rc = liq_errf(err, LIQ_INPUT, in_path, 0, "not a liqsim sweep database");
    goto fail;
  }
  if (sqlite3_step(p) == SQLITE_ROW) src_id = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  if (src_id == 0) {
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
                     src_id, LIQ_VERSION, "create the merged sweep", err);
    if (rc != LIQ_OK) goto fail;
    *sweep_id = sqlite3_last_insert_rowid(st->db);
  }
  rc = store_prepare(st->db, st->path,
               "SELECT a.scenario_text IS b.scenario_text AND a.spec IS b.spec"
               " FROM main.sweeps a, src.sweeps b"
               " WHERE a.sweep_id = ?1 AND b.sweep_id = ?2",
               0, &p, "compare the sweeps", err);
  if (rc != LIQ_OK) goto fail;
  sqlite3_bind_int64(p, 1, *sweep_id);
  sqlite3_bind_int64(p, 2, src_id);
  if (sqlite3_step(p) == SQLITE_ROW) same = sqlite3_column_int(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  if (!same) {
    rc = liq_errf(err, LIQ_INPUT, in_path, 0,
                  "its sweep comes from a different scenario (scenario text or "
                  "sweep spec: grid, replicates, --set, --seed) than sweep %lld of %s",
                  (long long)*sweep_id, st->path);
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
  rc = store_prepare(st->db, st->path, "SELECT coalesce(max(run_id), 0) FROM main.runs",
               0, &p, "read the last run id", err);
  if (rc != LIQ_OK) goto fail;
  if (sqlite3_step(p) == SQLITE_ROW) base_id = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  p = NULL;
  rc = store_exec_sql(st->db, st->path,
                "CREATE TEMP TABLE IF NOT EXISTS merge_map("
                " old INTEGER PRIMARY KEY, new INTEGER, task_id INTEGER);"
                "DELETE FROM temp.merge_map;",
                "create the run map", err);
  if (rc != LIQ_OK) goto fail;
  rc = merge_exec(st,
                 "INSERT INTO temp.merge_map(old, new, task_id)"
                 " SELECT t.run_id, ?3 + row_number() OVER (ORDER BY t.task_id),"
                 " t.task_id FROM src.tasks t"
                 " WHERE t.sweep_id = ?2 AND t.status = 'done'"
                 " AND t.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                 " main.tasks o WHERE o.sweep_id = ?1 AND o.task_id = t.task_id"
                 " AND o.status = 'done')",
                 *sweep_id, src_id, base_id, "map the runs", err);
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
  rc = merge_exec(st,
                 "INSERT OR REPLACE INTO main.tasks(sweep_id, task_id, run_id,"
                 " replicate, grid_index, params, seed, path_seed, book_seed,"
                 " status, error)"
                 " SELECT ?1, t.task_id, m.new, t.replicate, t.grid_index,"
                 " t.params, t.seed, t.path_seed, t.book_seed, 'done', NULL"
                 " FROM src.tasks t JOIN temp.merge_map m ON m.old = t.run_id"
                 " WHERE t.sweep_id = ?2",
                 *sweep_id, src_id, 0, "copy the tasks", err);
  if (rc != LIQ_OK) goto fail;
  rc = merge_exec(st,
                 "INSERT OR IGNORE INTO main.tasks(sweep_id, task_id, replicate,"
                 " grid_index, params, seed, path_seed, book_seed, status)"
                 " SELECT ?1, task_id, replicate, grid_index, params, seed,"
                 " path_seed, book_seed, 'pending' FROM src.tasks"
                 " WHERE sweep_id = ?2",
                 *sweep_id, src_id, 0, "copy the pending tasks", err);
  if (rc != LIQ_OK) goto fail;
  /* The axis values, when the input has them (databases from before
  ** sweep_point_values have not). */
  if (sqlite3_prepare_v2(st->db,
                         "INSERT OR IGNORE INTO main.sweep_point_values(sweep_id,"
                         " grid_index, key, value) SELECT ?1, grid_index, key,"
                         " value FROM src.sweep_point_values WHERE sweep_id = ?2",
                         -1, &p, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(p, 1, *sweep_id);
    sqlite3_bind_int64(p, 2, src_id);
    rc = store_step_done(st->db, st->path, p, "copy the sweep point values", err);
    sqlite3_finalize(p);
    p = NULL;
    if (rc != LIQ_OK) goto fail;
  } else {
    sqlite3_finalize(p);
    p = NULL;
  }

  rc = sweep_commit(st, "commit the merge", err);
  goto out;

fail:
  sqlite3_finalize(p);
  store_rollback_quietly(st);
out:
  if (attached) sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL);
  return rc;
}

int liq_store_copy_file(const char *from, const char *to, liq_err *err) {
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *b;
  int rc = LIQ_OK;
  /* read-write, so that closing it folds and removes its WAL */
  if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, from, 0, "cannot open database: %s",
                  src ? sqlite3_errmsg(src) : "out of memory");
    goto out;
  }
  sqlite3_busy_timeout(src, LIQ_STORE_BUSY_MS);
  if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK) {
    rc = store_db_error(dst, to, "cannot create database", err);
    goto out;
  }
  b = sqlite3_backup_init(dst, "main", src, "main");
  if (b == NULL) {
    rc = store_db_error(dst, to, "copy the database", err);
    goto out;
  }
  sqlite3_backup_step(b, -1);
  if (sqlite3_backup_finish(b) != SQLITE_OK) {
    int code = sqlite3_errcode(dst) & 0xff;
    rc = liq_errf(err, code == SQLITE_NOTADB || code == SQLITE_CORRUPT
                  ? LIQ_INPUT : LIQ_DB, from, 0, "cannot copy the database: %s",
                  sqlite3_errmsg(dst));
  }
out:
  sqlite3_close_v2(dst);
  sqlite3_close_v2(src);
  return rc;
}
