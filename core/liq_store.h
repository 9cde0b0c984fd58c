/*
** liq_store.h: the SQLite results database (the product).
**
** Tables (pinned names, see DESIGN.md): runs, steps, liquidations, summary,
** adl (one row per ADL close or socialised charge), and the sweep tables.
** WAL journal, prepared statements, a run's rows in one transaction.  A second
** run into the same file appends a new run_id.  Quantile columns
** steps.cushion_<label> and steps.distance_<label> (liq_quantile_label)
** are added on demand.
**
** The module is three files sharing the private header store_int.h:
** store.c (schema, runs and their rows, the sink), store_sweep.c (sweeps,
** tasks, aggregates and merge, used by the sweep module through
** store_int.h), store_report.c (the text report) and store_calibrate.c
** (the calibration tables).
*/
#ifndef LIQ_STORE_H
#define LIQ_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "liq_calibrate.h"
#include "liq_engine.h"
#include "liq_err.h"
#include "liq_scenario.h"

typedef struct liq_store liq_store;

/* Open or create 'path' and its schema.  *out is NULL on failure. */
int liq_store_open(const char *path, liq_store **out /* OUT */, liq_err *err);

/* The same for `liqsim run`: a database created now gets
** LIQ_STORE_RUN_PAGE_SIZE-byte pages (SQLite's default is 4096).  A run
** writes its rows in one transaction; with large pages its b-trees stay
** shallow, so the pages it writes early are not written again and the
** WAL need not be read back at the commit, and there are 16 times fewer
** pages to write, check and copy.  (Sweeps commit small transactions
** often, which large pages would make longer: they keep the default.) */
#define LIQ_STORE_RUN_PAGE_SIZE 65536
int liq_store_open_run(const char *path, liq_store **out /* OUT */, liq_err *err);
void liq_store_close(liq_store *st);

/* Insert the runs row (status 'running', committed at once) and prepare
** the row statements for this scenario's quantiles.  *run_id gets the id. */
int liq_store_begin_run(liq_store *st, const liq_scenario *sc, uint64_t seed,
                        int64_t *run_id /* OUT */, liq_err *err);
int liq_store_step(liq_store *st, const liq_step_row *row, liq_err *err);
int liq_store_liquidation(liq_store *st, const liq_liquidation_row *row, liq_err *err);
/* The book as run (stats.positions): one positions row per position, with
** its liquidation price under mp at entry and its bankruptcy price. */
int liq_store_positions(liq_store *st, const liq_book *b,
                        const liq_margin_params *mp, liq_err *err);
/* Write the summary, set status 'done' and finished_at, commit. */
int liq_store_finish_run(liq_store *st, const liq_summary *sm, liq_err *err);
/* Roll back pending rows, set status 'failed' and finished_at. */
int liq_store_fail_run(liq_store *st, const char *why, liq_err *err);

/* A sink writing the stored steps (liq_stats_step_stored(), each with the
** flows since the previous stored row, liq_stats_step_fold()) and the
** liquidations (when sc->stats.events; else its liquidation and adl
** callbacks are NULL) into 'st'. */
typedef struct liq_store_sink_ctx {
  liq_store *st;
  const liq_scenario *sc;
  size_t n_steps;              /* path length, so the last step is stored */
  /* set by liq_store_sink(): the flows of the steps since the last
  ** stored row (liq_stats_step_fold()) */
  liq_step_row interval;
  size_t n_folded;
  /* cleared by liq_store_sink(); set it after that call to store this
  ** book as run (liq_store_positions()) just before the sink's first row,
  ** i.e. in the thread that writes the rows (liq_sink_thread.h) */
  const liq_book *positions;
} liq_store_sink_ctx;
liq_sink liq_store_sink(liq_store_sink_ctx *ctx);
/* Write ctx->positions now if no row has done so yet (then NULL). */
int liq_store_sink_positions(liq_store_sink_ctx *ctx, liq_err *err);

/* Text summary of the runs in 'db' (run_id 0: all runs) to 'out'. */
int liq_store_report(const char *db, int64_t run_id, FILE *out, liq_err *err);

/* Text summary of sweep 'sweep_id' of 'db' (0: every sweep): its identity
** and the aggregates per grid point with the point's axis values.
** LIQ_USAGE when the database holds no such sweep. */
int liq_store_report_sweep(const char *db, int64_t sweep_id, FILE *out,
                           liq_err *err);

/* 1 when 'db' holds at least one sweep (then `liqsim report DB` reports
** the sweeps, not their thousands of runs). */
int liq_store_report_is_sweep_db(const char *db);
/*
** Calibrations (liq_calibrate.h, store_calibrate.c): tables calibrations
** and calibration_points.  _write stores one calibration with its points
** in one transaction (creating the file and both tables when missing);
** _report lists the calibrations of 'db' (nothing when it has none).
*/
int liq_store_calibration_write(const char *db, const liq_scenario *sc,
                                const liq_calibrate_params *cp,
                                const liq_calibrate_result *res,
                                int64_t *calibration_id /* OUT */, liq_err *err);
int liq_store_calibration_report(const char *db, FILE *out, liq_err *err);
/* "decreasing", "increasing" or "flat" (calibrations.direction). */
const char *liq_store_direction_name(int direction);

#endif /* LIQ_STORE_H */
