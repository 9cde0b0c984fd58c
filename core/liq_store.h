/*
** liq_store.h: the SQLite results database (the product).
**
** Tables (pinned names, see DESIGN.md): runs, steps, liquidations, summary,
** adl (one row per ADL close or socialised charge), and the sweep tables.
** WAL journal, prepared statements, rows batched in transactions.  A second
** run into the same file appends a new run_id.  Quantile columns
** steps.cushion_<label> and steps.distance_<label> (liq_quantile_label)
** are added on demand.
*/
#ifndef LIQ_STORE_H
#define LIQ_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "liq_engine.h"
#include "liq_err.h"
#include "liq_scenario.h"

typedef struct liq_store liq_store;

/* Open or create 'path' and its schema.  *out is NULL on failure. */
int liq_store_open(const char *path, liq_store **out /* OUT */, liq_err *err);
void liq_store_close(liq_store *st);

/* Insert the runs row (status 'running', committed at once) and prepare
** the row statements for this scenario's quantiles.  *run_id gets the id. */
int liq_store_begin_run(liq_store *st, const liq_scenario *sc, uint64_t seed,
                        int64_t *run_id /* OUT */, liq_err *err);
int liq_store_step(liq_store *st, const liq_step_row *row, liq_err *err);
int liq_store_liquidation(liq_store *st, const liq_liquidation_row *row, liq_err *err);
int liq_store_adl(liq_store *st, const liq_adl_row *row, liq_err *err);
/* Write the summary, set status 'done' and finished_at, commit. */
int liq_store_finish_run(liq_store *st, const liq_summary *sm, liq_err *err);
/* Roll back pending rows, set status 'failed' and finished_at. */
int liq_store_fail_run(liq_store *st, const char *why, liq_err *err);

/* A sink writing steps (when sc->stats.steps, every stats.every-th step and
** the last) and liquidations (when sc->stats.events) into 'st'. */
typedef struct liq_store_sink_ctx {
  liq_store *st;
  const liq_scenario *sc;
  size_t n_steps;              /* path length, so the last step is stored */
} liq_store_sink_ctx;
liq_sink liq_store_sink(liq_store_sink_ctx *ctx);

/* Text summary of the runs in 'db' (run_id 0: all runs) to 'out'. */
int liq_store_report(const char *db, int64_t run_id, FILE *out, liq_err *err);

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
/* Write a finished task and set its status 'done', in ONE transaction. */
int liq_store_task_write(liq_store *st, const liq_store_task_rows *r,
                         int64_t *run_id /* OUT */, liq_err *err);
int liq_store_task_fail(liq_store *st, int64_t sweep_id, size_t task_id,
                        const char *why, liq_err *err);
int liq_store_sweep_counts(liq_store *st, int64_t sweep_id,
                           size_t *n_done /* OUT */, size_t *n_tasks /* OUT */,
                           liq_err *err);
/* Recompute sweep_aggregates for the sweep from its done tasks' summaries
** (nearest-rank quantiles, see liq_sweep_quantile()). */
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

#endif /* LIQ_STORE_H */
