/*
** liq_sweep.h: parameter sweeps: task expansion, deterministic seeding,
** parallel execution with a single database writer, resume, shards, MPI.
**
** A sweep is the scenario's sweep section (liq_sweep_params): axes of
** --set keys with their values, combined as a cartesian product (the last
** axis varies fastest, like nested loops in axis order) or zipped
** (mode = "zip": point i takes value i of every axis), times
** 'replicates'.  Grid point g is a set of overrides "key=value"; the
** point's scenario is liq_scenario_load(path, those overrides), so every
** value is validated exactly as --set validates it.
**
**   task_id    = grid_index * replicates + replicate      (0-based)
**   path seed  = liq_seed(seed, replicate, LIQ_STREAM_PATH)
**   book seed  = liq_seed(seed, replicate, LIQ_STREAM_BOOK)
**
** ('seed' is the point's scenario seed: the base seed unless "seed" is an
** axis.)  A task's result depends on (scenario, grid point, replicate)
** only, never on thread count, rank count, shard split or order, and
** replicate k sees the same path at every grid point (common random
** numbers).  Replicate 0 of a point is exactly 'liqsim run SCENARIO
** --set ...' with the point's overrides.
**
** Shards: shard K of N (1-based) holds the tasks with task_id % N == K-1.
*/
#ifndef LIQ_SWEEP_H
#define LIQ_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "liq_book.h"
#include "liq_err.h"
#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_seed.h"

/* Most tasks one sweep may have. */
#define LIQ_SWEEP_MAX_TASKS 100000000u

/* The expansion of a scenario's sweep section. */
typedef struct liq_sweep_point {
  char    *params_json;    /* the point's overrides as JSON (owned) */
  uint64_t seed;           /* the point scenario's base seed */
  size_t   steps;          /* its 'steps' and 'book.positions' (runs row) */
  size_t   positions;
} liq_sweep_point;

typedef struct liq_sweep_plan {
  const liq_scenario *base;  /* borrowed: the scenario as loaded, no overrides */
  size_t   n_points;       /* grid points (1 when there is no grid) */
  size_t   replicates;
  size_t   n_tasks;        /* n_points * replicates */
  liq_sweep_point *points; /* [n_points] */
  char    *spec_json;      /* {"mode":..,"replicates":..,"axes":[{"key":..,"values":[..]}]} (owned) */
} liq_sweep_plan;

/* Grid points and tasks of 'sw' (mode, axes, replicates).  LIQ_INPUT when
** the sweep would exceed LIQ_SWEEP_MAX_TASKS or zip axes differ in length. */
int liq_sweep_count(const liq_sweep_params *sw, size_t *n_points /* OUT */,
                    size_t *n_tasks /* OUT */, liq_err *err);

/* Task 'task_id' -> its grid point and replicate. */
void liq_sweep_task_of(const liq_sweep_params *sw, size_t task_id,
                       size_t *grid_index /* OUT */, size_t *replicate /* OUT */);

/* The value index of every axis at grid point 'grid_index'
** (idx[0..n_axes)). */
void liq_sweep_point_index(const liq_sweep_params *sw, size_t grid_index,
                           size_t *idx /* OUT */);

/* The seeds of replicate 'replicate' of a scenario with base seed 'seed'. */
uint64_t liq_sweep_path_seed(uint64_t seed, size_t replicate);
uint64_t liq_sweep_book_seed(uint64_t seed, size_t replicate);

/* The price path and book of replicate 'replicate' of 'sc' (with the seeds
** above).  `liqsim run` is replicate 0, so a sweep's replicate 0 sees the
** same path and book as a run with the same overrides.  On failure both
** are NULL and err says why (LIQ_INPUT with the scenario's file for bad
** input). */
int liq_sweep_inputs(const liq_scenario *sc, size_t replicate,
                     liq_path **path /* OUT */, liq_book **book /* OUT */,
                     liq_err *err);

/* 1 when task 'task_id' belongs to shard k of n (1 <= k <= n). */
int liq_sweep_in_shard(size_t task_id, size_t shard_k, size_t shard_n);

/* "key=value" of axis 'axis' at value index 'v' into buf; the value is
** written so that it reads back as the same double (integers without a
** decimal point, so integer keys accept them). */
void liq_sweep_assignment(const liq_sweep_params *sw, size_t axis, size_t v,
                          char *buf, size_t size);

/*
** Load the scenario of grid point 'grid_index': liq_scenario_load(path,
** the point's overrides).  An invalid value is LIQ_INPUT located at the
** sweep.grid entry of the scenario file ("FILE:LINE: sweep.grid[i]
** margin.initial = 0.5 (grid point 3): <why>").
*/
int liq_sweep_load_point(const liq_scenario *base, size_t grid_index,
                         liq_scenario **out /* OUT */, liq_err *err);

/* Expand and validate every grid point of 'base' (a scenario with a sweep
** section) before anything runs.  Free with liq_sweep_plan_free(). */
int liq_sweep_plan_build(const liq_scenario *base, liq_sweep_plan **out /* OUT */,
                         liq_err *err);
void liq_sweep_plan_free(liq_sweep_plan *plan);

/* Nearest-rank quantile of sorted x[0..n), 0 < p <= 1: x[ceil(p*n) - 1]
** (the smallest value with at least p*n values at or below it); NaN when
** n == 0. */
double liq_sweep_quantile(const double *sorted, size_t n, double p);

/* Progress of a running sweep, from the writer: tasks written so far in
** this invocation ('done'), of 'todo'; 'elapsed' seconds since the start. */
typedef void (*liq_sweep_progress_fn)(void *ud, size_t done, size_t todo,
                                      double elapsed);

typedef struct liq_sweep_options {
  const char *db;          /* results database */
  int    threads;          /* worker threads; <= 0: all cores (OpenMP default) */
  size_t shard_k, shard_n; /* 1-based shard; 0/0 or 1/1: every task */
  int    resume;           /* continue the database's last sweep */
  liq_sweep_progress_fn progress;   /* may be NULL */
  void  *progress_ud;
} liq_sweep_options;

typedef struct liq_sweep_report {
  int64_t sweep_id;
  size_t  n_tasks;         /* tasks in the whole sweep */
  size_t  n_points;
  size_t  n_shard;         /* tasks in this shard */
  size_t  n_already;       /* of those, done before this invocation */
  size_t  n_run;           /* tasks computed and written now */
  int     ranks;           /* MPI ranks (1 without MPI) */
  int     threads;         /* worker threads per rank */
  double  seconds;         /* wall time of the execution phase */
} liq_sweep_report;

/*
** Run the sweep of 'base' into opt->db: expand and validate every grid
** point (an invalid value fails here, nothing runs), create the sweep (or,
** with opt->resume, find the database's last sweep, check it comes from
** the same scenario text and spec, and clear what an interrupted run left),
** run the pending tasks of the shard on opt->threads workers (and MPI
** ranks), each task's rows and its 'done' status in one transaction, then
** recompute sweep_aggregates.  Under MPI every rank calls this; only rank
** 0 opens the database.
*/
int liq_sweep_run(const liq_scenario *base, const liq_sweep_options *opt,
                  liq_sweep_report *report /* OUT */, liq_err *err);

/*
** Merge the sweeps of the shard databases in[0..n) into 'out' (created
** when missing).  Every input's last sweep must come from the same
** scenario text and spec (else LIQ_INPUT, nothing written for it); done
** tasks are copied with new run_ids, sweep_aggregates recomputed.
** *n_done / *n_tasks: done tasks in 'out' and tasks of the sweep.
*/
int liq_sweep_merge(const char *out, const char *const *in, size_t n,
                    int64_t *sweep_id /* OUT */, size_t *n_done /* OUT */,
                    size_t *n_tasks /* OUT */, liq_err *err);

/*
** MPI (build option LIQSIM_MPI).  liq_sweep_mpi_begin() initialises MPI
** when the process was started by mpirun (else, and without MPI, it sets
** rank 0 of 1 and does nothing); liq_sweep_mpi_end() finalises it.
*/
int  liq_sweep_mpi_begin(int *argc, char ***argv, int *rank /* OUT */,
                         int *size /* OUT */, liq_err *err);
void liq_sweep_mpi_end(void);
/* Abort every rank with 'code' (a no-op without MPI). */
void liq_sweep_mpi_abort(int code);

#endif /* LIQ_SWEEP_H */
