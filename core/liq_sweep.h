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
**   path seed  = liq_inputs_path_seed(seed, replicate)   (liq_inputs.h)
**   book seed  = liq_inputs_book_seed(seed, replicate)
**
** ('seed' is the point's scenario seed: the base seed unless "seed" is an
** axis.)  A task's result depends on (scenario, grid point, replicate)
** only, never on thread count, rank count, shard split or order, and
** replicate k sees the same path at every grid point (common random
** numbers).  Replicate 0 of a point is exactly 'liqsim run SCENARIO
** --set ...' with the point's overrides.
**
** Shards: shard K of N (1-based) holds the tasks with task_id % N == K-1.
**
** The module is the plan (sweep.c: grid, tasks, shards, point scenarios)
** and the execution (sweep_exec.c: OpenMP, MPI, resume, merge); their
** library-internal functions are declared in sweep_int.h.
*/
#ifndef LIQ_SWEEP_H
#define LIQ_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "liq_engine.h"
#include "liq_err.h"
#include "liq_scenario.h"

/* Most tasks one sweep may have.  Every task is a row of the tasks table,
** written before the first task runs (about 110 bytes each): 10^8 tasks
** wrote 11 GB of pending rows, 10^6 write about 110 MB. */
#define LIQ_SWEEP_MAX_TASKS 1000000u

/* The expansion of a scenario's sweep section. */
typedef struct liq_sweep_point {
  char    *params_json;    /* the point's overrides as JSON (owned) */
  uint64_t seed;           /* the point scenario's base seed */
  size_t   steps;          /* its 'steps' and 'book.positions' (runs row) */
  size_t   positions;
  char    *warnings;       /* its scenario's warnings, NULL for none (owned;
                           ** runs.warnings) */
  uint64_t path_hash;      /* liq_inputs_path_hash/book_hash of its scenario: */
  uint64_t book_hash;      /* points that may share inputs run side by side */
} liq_sweep_point;

typedef struct liq_sweep_plan {
  const liq_scenario *base;  /* borrowed: the scenario as loaded, no overrides */
  size_t   n_points;       /* grid points (1 when there is no grid) */
  size_t   replicates;
  size_t   n_tasks;        /* n_points * replicates */
  liq_sweep_point *points; /* [n_points] */
  char    *spec_json;      /* {"mode":..,"replicates":..,"axes":[{"key":..,"values":[..]}]} (owned) */
} liq_sweep_plan;

/* Expand and validate every grid point of 'base' (a scenario with a sweep
** section) before anything runs.  Free with liq_sweep_plan_free(). */
int liq_sweep_plan_build(const liq_scenario *base, liq_sweep_plan **out /* OUT */,
                         liq_err *err);
void liq_sweep_plan_free(liq_sweep_plan *plan);

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
  int     abort_ranks;     /* on failure under MPI: the ranks are out of step
                           ** (out of memory during an exchange); the caller
                           ** must abort them all (MPI_Abort).  The library
                           ** never aborts the process itself. */
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

/* One replicate's outcome where only summaries are needed (calibrate). */
typedef struct liq_sweep_outcome {
  liq_summary sm;
  double open_interest;    /* starting open interest: sum of qty * entry over the book */
} liq_sweep_outcome;

/* A replicate of a loaded scenario to run without storing rows. */
typedef struct liq_sweep_job {
  const liq_scenario *sc;  /* borrowed: e.g. the scenario at one value of a key */
  size_t replicate;        /* its path and book seeds, as in a sweep */
  liq_sweep_outcome *out;  /* OUT: where the outcome goes */
} liq_sweep_job;

/*
** Run jobs[0..n) on 'threads' workers (<= 0: all cores), each exactly as
** a sweep task of (sc, replicate) computes it, but keeping only the
** summary: replicate k sees the same path and book seeds at every
** scenario (common random numbers).  The outcomes do not depend on
** 'threads'.  On failure the error is the one of the lowest failing job.
*/
int liq_sweep_run_jobs(const liq_sweep_job *jobs, size_t n, int threads,
                       liq_err *err);

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
** MPI (build option LIQ_MPI).  liq_sweep_mpi_begin() initialises MPI
** when the process was started by mpirun (else, and without MPI, it sets
** rank 0 of 1 and does nothing); liq_sweep_mpi_end() finalises it.
*/
int  liq_sweep_mpi_begin(int *argc, char ***argv, int *rank /* OUT */,
                         int *size /* OUT */, liq_err *err);
void liq_sweep_mpi_end(void);

#endif /* LIQ_SWEEP_H */
