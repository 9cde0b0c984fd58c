/*
** sweep_int.h: library-internal part of the sweep module, shared by the
** plan (sweep.c) and the execution (sweep_exec.c), and by the tests.
** Programs use liq_sweep.h.
*/
#ifndef LIQ_SWEEP_INT_H
#define LIQ_SWEEP_INT_H

#include <stddef.h>

#include "liq_err.h"
#include "liq_scenario.h"
#include "liq_sweep.h"

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

#endif /* LIQ_SWEEP_INT_H */
