/*
** test_sweep.c: sweep task expansion, common random numbers, shards,
** value formatting, grid validation (liq_sweep.h, sweep_int.h).
**
** Sweeps are built by hand (liq_sweep_params) where the scenario does not
** matter, and loaded from tests/data/sweep_small.cfg where it does.
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liq_test_support.h"

#include "liq_inputs.h"
#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_sweep.h"
#include "sweep_int.h"

#define SWEEP_CFG LIQ_TEST_DATA "/sweep_small.cfg"

/* Two axes (2 x 3 values), 4 replicates. */
static liq_sweep_params two_axes(void) {
  liq_sweep_params sw;
  memset(&sw, 0, sizeof sw);
  sw.present = 1;
  sw.replicates = 4;
  sw.n_axes = 2;
  snprintf(sw.axes[0].key, sizeof sw.axes[0].key, "margin.initial");
  sw.axes[0].n_values = 2;
  sw.axes[0].values[0] = 0.01;
  sw.axes[0].values[1] = 0.02;
  snprintf(sw.axes[1].key, sizeof sw.axes[1].key, "impact.coefficient");
  sw.axes[1].n_values = 3;
  sw.axes[1].values[0] = 0.3;
  sw.axes[1].values[1] = 0.7;
  sw.axes[1].values[2] = 1.5;
  return sw;
}

static void test_count_product_and_zip(void **state) {
  liq_sweep_params sw = two_axes();
  size_t np, nt;
  liq_err err;
  (void)state;
  assert_liq_ok(liq_sweep_count(&sw, &np, &nt, &err), &err);
  assert_int_equal(np, 6);
  assert_int_equal(nt, 24);

  /* zip pairs values one to one: the axes must have the same length */
  sw.zip = 1;
  assert_int_equal(liq_sweep_count(&sw, &np, &nt, &err), LIQ_INPUT);
  sw.axes[1].n_values = 2;
  assert_liq_ok(liq_sweep_count(&sw, &np, &nt, &err), &err);
  assert_int_equal(np, 2);
  assert_int_equal(nt, 8);

  /* no axes: one point; replicates 0 counts as 1 */
  memset(&sw, 0, sizeof sw);
  sw.present = 1;
  assert_liq_ok(liq_sweep_count(&sw, &np, &nt, &err), &err);
  assert_int_equal(np, 1);
  assert_int_equal(nt, 1);
}

static void test_count_refuses_huge_sweeps(void **state) {
  liq_sweep_params sw;
  size_t np = 7, nt = 7, a;
  liq_err err;
  (void)state;
  memset(&sw, 0, sizeof sw);
  sw.present = 1;
  sw.replicates = 1;
  sw.n_axes = 3;                         /* 256^3 > 10^6 points */
  for (a = 0; a < sw.n_axes; a++) {
    snprintf(sw.axes[a].key, sizeof sw.axes[a].key, "margin.initial");
    sw.axes[a].n_values = 256;
  }
  assert_int_equal(liq_sweep_count(&sw, &np, &nt, &err), LIQ_INPUT);
  assert_int_equal(nt, 0);
  sw.n_axes = 2;                          /* 65536 points x 16 replicates */
  sw.replicates = 16;
  assert_int_equal(liq_sweep_count(&sw, &np, &nt, &err), LIQ_INPUT);
  sw.replicates = 15;                     /* the cap is 10^6 tasks */
  assert_liq_ok(liq_sweep_count(&sw, &np, &nt, &err), &err);
  assert_int_equal(nt, 983040u);
}

/* task_id = grid_index * replicates + replicate; the last axis varies
** fastest; zip takes value i of every axis. */
static void test_task_order(void **state) {
  liq_sweep_params sw = two_axes();
  size_t g, r, idx[LIQ_MAX_AXES], t, seen[6][4];
  (void)state;
  memset(seen, 0, sizeof seen);
  for (t = 0; t < 24; t++) {
    liq_sweep_task_of(&sw, t, &g, &r);
    assert_int_equal(g, t / 4);
    assert_int_equal(r, t % 4);
    seen[g][r]++;
  }
  for (g = 0; g < 6; g++)
    for (r = 0; r < 4; r++) assert_int_equal(seen[g][r], 1);

  liq_sweep_point_index(&sw, 0, idx);
  assert_int_equal(idx[0], 0);
  assert_int_equal(idx[1], 0);
  liq_sweep_point_index(&sw, 1, idx);
  assert_int_equal(idx[0], 0);
  assert_int_equal(idx[1], 1);
  liq_sweep_point_index(&sw, 4, idx);
  assert_int_equal(idx[0], 1);
  assert_int_equal(idx[1], 1);
  liq_sweep_point_index(&sw, 5, idx);
  assert_int_equal(idx[0], 1);
  assert_int_equal(idx[1], 2);

  sw.zip = 1;
  sw.axes[1].n_values = 2;
  liq_sweep_point_index(&sw, 1, idx);
  assert_int_equal(idx[0], 1);
  assert_int_equal(idx[1], 1);
}

/* Every task is in exactly one shard; shards differ in size by <= 1. */
static void test_shards_partition(void **state) {
  size_t n, k, t;
  (void)state;
  for (n = 1; n <= 7; n++) {
    size_t counts[8] = {0};
    for (t = 0; t < 100; t++) {
      size_t in = 0;
      for (k = 1; k <= n; k++) {
        if (liq_sweep_in_shard(t, k, n)) {
          in++;
          counts[k]++;
        }
      }
      assert_int_equal(in, 1);
      assert_true(liq_sweep_in_shard(t, k = t % n + 1, n));
    }
    for (k = 1; k <= n; k++) {
      assert_true(counts[k] >= 100 / n);
      assert_true(counts[k] <= 100 / n + 1);
    }
  }
  assert_true(liq_sweep_in_shard(5, 0, 0));      /* no shard: every task */
}

/* Values read back as the same double; whole numbers without a point. */
static void test_assignment_round_trips(void **state) {
  static const double values[] = {0.01, 0.1 + 0.2, 1e-7, 2.385, -0.5, 1e300,
                                  100000.0, 3.0, 5e15, 1.0 / 3.0};
  liq_sweep_params sw;
  char buf[200];
  size_t i;
  (void)state;
  memset(&sw, 0, sizeof sw);
  sw.n_axes = 1;
  snprintf(sw.axes[0].key, sizeof sw.axes[0].key, "book.positions");
  sw.axes[0].n_values = sizeof values / sizeof values[0];
  memcpy(sw.axes[0].values, values, sizeof values);
  for (i = 0; i < sw.axes[0].n_values; i++) {
    const char *eq;
    liq_sweep_assignment(&sw, 0, i, buf, sizeof buf);
    assert_true(strncmp(buf, "book.positions=", 15) == 0);
    eq = strchr(buf, '=') + 1;
    assert_true(strtod(eq, NULL) == values[i]);
  }
  liq_sweep_assignment(&sw, 0, 0, buf, sizeof buf);
  assert_string_equal(buf, "book.positions=0.01");
  liq_sweep_assignment(&sw, 0, 6, buf, sizeof buf);
  assert_string_equal(buf, "book.positions=100000");
  liq_sweep_assignment(&sw, 0, 7, buf, sizeof buf);
  assert_string_equal(buf, "book.positions=3");
}

/* The shipped small sweep: 2 x 3 grid, 4 replicates, every point valid,
** the params of each point, the spec. */
static void test_plan_of_a_scenario(void **state) {
  liq_scenario *sc = NULL;
  liq_sweep_plan *plan = NULL;
  liq_err err;
  (void)state;
  assert_liq_ok(liq_scenario_load(SWEEP_CFG, NULL, 0, &sc, &err), &err);
  assert_true(sc->sweep.present);
  assert_liq_ok(liq_sweep_plan_build(sc, &plan, &err), &err);
  assert_int_equal(plan->n_points, 6);
  assert_int_equal(plan->replicates, 4);
  assert_int_equal(plan->n_tasks, 24);
  assert_string_equal(plan->points[0].params_json,
                      "{\"margin.initial\":0.01,\"impact.coefficient\":0.3}");
  assert_string_equal(plan->points[4].params_json,
                      "{\"margin.initial\":0.02,\"impact.coefficient\":0.7}");
  assert_true(plan->points[5].seed == sc->seed);
  assert_int_equal(plan->points[5].positions, sc->book.positions);
  assert_string_equal(plan->spec_json,
                      "{\"mode\":\"product\",\"replicates\":4,\"axes\":["
                      "{\"key\":\"margin.initial\",\"values\":[0.01,0.02]},"
                      "{\"key\":\"impact.coefficient\",\"values\":[0.3,0.7,1.5]}]}");
  liq_sweep_plan_free(plan);
  liq_scenario_free(sc);
}

/* Replicate k draws the same price path at every grid point (the grid
** does not touch the price), and different replicates differ. */
static void test_common_random_numbers(void **state) {
  liq_scenario *sc = NULL, *a = NULL, *b = NULL;
  liq_path *pa = NULL, *pb = NULL, *pc = NULL;
  liq_err err;
  size_t i;
  int same = 1, differ = 0;
  (void)state;
  assert_liq_ok(liq_scenario_load(SWEEP_CFG, NULL, 0, &sc, &err), &err);
  assert_liq_ok(liq_sweep_load_point(sc, 0, &a, &err), &err);
  assert_liq_ok(liq_sweep_load_point(sc, 5, &b, &err), &err);
  assert_true(a->margin.initial == 0.01 && a->impact.coefficient == 0.3);
  assert_true(b->margin.initial == 0.02 && b->impact.coefficient == 1.5);
  assert_liq_ok(liq_path_build(&a->price, a->steps, a->step_seconds,
                                liq_inputs_path_seed(a->seed, 2), &pa, &err), &err);
  assert_liq_ok(liq_path_build(&b->price, b->steps, b->step_seconds,
                                liq_inputs_path_seed(b->seed, 2), &pb, &err), &err);
  assert_liq_ok(liq_path_build(&b->price, b->steps, b->step_seconds,
                                liq_inputs_path_seed(b->seed, 3), &pc, &err), &err);
  assert_int_equal(pa->n, pb->n);
  for (i = 0; i < pa->n; i++) {
    same &= pa->close[i] == pb->close[i];
    differ |= pb->close[i] != pc->close[i];
  }
  assert_true(same);
  assert_true(differ);
  liq_path_free(pa);
  liq_path_free(pb);
  liq_path_free(pc);
  liq_scenario_free(a);
  liq_scenario_free(b);
  liq_scenario_free(sc);
}

/* An invalid grid value fails the plan, located at its sweep.grid entry
** in the file, whichever grid point it appears in. */
static void test_invalid_grid_value_located(void **state) {
  static const char *const text =
    "name = \"bad-grid\";\n"                                             /* 1 */
    "steps = 10; step_seconds = 60;\n"                                   /* 2 */
    "price = { model = \"gbm\"; start = 100.0; volatility = 0.5; };\n"   /* 3 */
    "book = { positions = 10; leverage = { values = [2.0]; weights = [1.0]; };\n"
    "  notional = { dist = \"fixed\"; median = 100.0; }; };\n"           /* 5 */
    "margin = { initial = 0.1; maintenance = 0.05; }; impact = { model = \"none\"; };\n"
    "sweep = { replicates = 2;\n"                                        /* 7 */
    "  grid = ( { key = \"impact.max_rounds\"; values = [10, 20]; },\n"  /* 8 */
    "           { key = \"margin.initial\";\n"                           /* 9 */
    "             values = [0.2, 0.1, 0.04]; } ); };\n";                 /* 10 */
  char path[256];
  liq_scenario *sc = NULL, *pt = NULL;
  liq_sweep_plan *plan = NULL;
  liq_err err;
  (void)state;
  liq_test_write_temp(text, ".cfg", path, sizeof path);
  assert_liq_ok(liq_scenario_load(path, NULL, 0, &sc, &err), &err);
  /* points 0, 1 are fine; point 2 has margin.initial 0.04 < maintenance */
  assert_liq_ok(liq_sweep_load_point(sc, 1, &pt, &err), &err);
  liq_scenario_free(pt);
  liq_err_clear(&err);
  assert_int_equal(liq_sweep_load_point(sc, 2, &pt, &err), LIQ_INPUT);
  assert_null(pt);
  assert_string_equal(err.file, path);
  assert_int_equal(err.line, 10);
  assert_non_null(strstr(err.msg, "sweep.grid[1] margin.initial=0.04"));
  liq_err_clear(&err);
  assert_int_equal(liq_sweep_plan_build(sc, &plan, &err), LIQ_INPUT);
  assert_null(plan);
  assert_int_equal(err.line, 10);
  liq_scenario_free(sc);
  unlink(path);
}

/* impact.half_life_seconds takes "inf" (no decay) on a sweep axis too,
** in a list: the point runs with "inf", the spec and params say "inf";
** another name is an error at its line. */
static void test_half_life_axis_takes_inf(void **state) {
  static const char *const head =
    "name = \"inf-axis\";\n"                                             /* 1 */
    "steps = 10; step_seconds = 60;\n"                                   /* 2 */
    "price = { model = \"gbm\"; start = 100.0; volatility = 0.5; };\n"   /* 3 */
    "book = { positions = 10; leverage = { values = [2.0]; weights = [1.0]; };\n"
    "  notional = { dist = \"fixed\"; median = 100.0; }; };\n"           /* 5 */
    "margin = { initial = 0.1; maintenance = 0.05; };\n"                 /* 6 */
    "impact = { model = \"linear\"; daily_volume = 1e6; coefficient = 1.0; };\n"
    "sweep = { replicates = 2;\n"                                        /* 8 */
    "  grid = ( { key = \"impact.half_life_seconds\";\n";                /* 9 */
  char text[1024], path[256];
  liq_scenario *sc = NULL, *pt = NULL;
  liq_sweep_plan *plan = NULL;
  liq_err err;
  (void)state;
  snprintf(text, sizeof text, "%s%s", head, "    values = (60.0, \"inf\"); } ); };\n");
  liq_test_write_temp(text, ".cfg", path, sizeof path);
  assert_liq_ok(liq_scenario_load(path, NULL, 0, &sc, &err), &err);
  assert_liq_ok(liq_sweep_plan_build(sc, &plan, &err), &err);
  assert_int_equal(plan->n_points, 2);
  assert_string_equal(plan->points[1].params_json, "{\"impact.half_life_seconds\":\"inf\"}");
  assert_non_null(strstr(plan->spec_json, "\"values\":[60,\"inf\"]"));
  assert_liq_ok(liq_sweep_load_point(sc, 1, &pt, &err), &err);
  assert_true(isinf(pt->impact.half_life_seconds));
  liq_scenario_free(pt);
  assert_liq_ok(liq_sweep_load_point(sc, 0, &pt, &err), &err);
  assert_true(pt->impact.half_life_seconds == 60.0);
  liq_scenario_free(pt);
  liq_sweep_plan_free(plan);
  liq_scenario_free(sc);
  unlink(path);
  /* another name */
  snprintf(text, sizeof text, "%s%s", head, "    values = (60.0, \"never\"); } ); };\n");
  liq_test_write_temp(text, ".cfg", path, sizeof path);
  liq_err_clear(&err);
  assert_int_equal(liq_scenario_load(path, NULL, 0, &sc, &err), LIQ_INPUT);
  assert_int_equal(err.line, 10);
  assert_non_null(strstr(err.msg, "a number of seconds or \"inf\", got \"never\""));
  unlink(path);
}

static void test_no_sweep_section(void **state) {
  liq_scenario *sc = NULL;
  liq_sweep_plan *plan = NULL;
  liq_err err;
  (void)state;
  assert_liq_ok(liq_scenario_load(LIQ_SOURCE_DIR "/scenarios/default.cfg", NULL,
                                  0, &sc, &err), &err);
  assert_int_equal(liq_sweep_plan_build(sc, &plan, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "no sweep section"));
  liq_scenario_free(sc);
}

/*
** Used to fail.  Bad input must be reported as FILE:LINE.  A sweep with more
** than LIQ_SWEEP_MAX_TASKS tasks passes liq_scenario_load() (so
** 'liqsim check' says ok), and liq_sweep_plan_build() rejects it with
** err.line == 0: "liqsim: FILE: 6 grid points x 20000000 replicates is
** more than 100000000 tasks".  Either the loader should reject it at
** sweep.replicates / sweep.grid, or plan_build should locate it there.
*/
static void test_task_limit_error_has_line(void **state) {
  static const char *const text =
    "name = \"too-many\";\n"                                            /* 1 */
    "steps = 10; step_seconds = 60;\n"                                  /* 2 */
    "price = { model = \"gbm\"; start = 100.0; volatility = 0.5; };\n"  /* 3 */
    "book = { positions = 10; leverage = { values = [2.0]; weights = [1.0]; };\n"
    "  notional = { dist = \"fixed\"; median = 100.0; }; };\n"          /* 5 */
    "margin = { initial = 0.1; maintenance = 0.05; }; impact = { model = \"none\"; };\n"
    "sweep = { replicates = 200000;\n"                                  /* 7 */
    "  grid = ( { key = \"margin.initial\";\n"                          /* 8 */
    "             values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]; } ); };\n";  /* 9 */
  char path[256];
  liq_scenario *sc = NULL;
  liq_sweep_plan *plan = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_test_write_temp(text, ".cfg", path, sizeof path);
  liq_err_clear(&err);
  rc = liq_scenario_load(path, NULL, 0, &sc, &err);
  if (rc == LIQ_OK) {
    liq_err_clear(&err);
    rc = liq_sweep_plan_build(sc, &plan, &err);
    liq_sweep_plan_free(plan);
    liq_scenario_free(sc);
  }
  unlink(path);
  print_message("rc %d: %s:%d: %s\n", rc, err.file, err.line, err.msg);
  /* 6 x 200,000 = 1.2 x 10^6 tasks, above the sweep's cap but below the
  ** 10^8 the loader used to allow: refused by the loader, with its line */
  assert_int_equal(rc, LIQ_INPUT);
  assert_string_equal(err.file, path);
  assert_true(err.line >= 7);          /* sweep.replicates or sweep.grid */
  assert_non_null(strstr(err.msg, "= 1200000 tasks, at most 1000000"));
}

/* A sweep over the cap because --set raised its replicates names the
** override, not the file's line of the replicates it replaced. */
static void test_task_limit_by_set_names_it(void **state) {
  liq_override ov[1] = {{"sweep.replicates=500000"}};
  liq_scenario *sc = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_int_equal(liq_scenario_load(SWEEP_CFG, ov, 1, &sc, &err), LIQ_INPUT);
  assert_null(sc);
  assert_string_equal(err.file, "--set");
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.msg, "sweep.replicates=500000: sweep has 6 grid points"));
  /* a sweep section without a grid (replicates of the base point) too */
  ov[0].assignment = "sweep.replicates=1000001";
  liq_err_clear(&err);
  assert_int_equal(liq_scenario_load(LIQ_SOURCE_DIR "/scenarios/default.cfg", ov, 1, &sc,
                                     &err), LIQ_INPUT);
  assert_string_equal(err.file, "--set");
  assert_non_null(strstr(err.msg, "sweep has 1 grid points x 1000001 replicates"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_count_product_and_zip),
    cmocka_unit_test(test_count_refuses_huge_sweeps),
    cmocka_unit_test(test_task_order),
    cmocka_unit_test(test_shards_partition),
    cmocka_unit_test(test_assignment_round_trips),
    cmocka_unit_test(test_plan_of_a_scenario),
    cmocka_unit_test(test_common_random_numbers),
    cmocka_unit_test(test_invalid_grid_value_located),
    cmocka_unit_test(test_half_life_axis_takes_inf),
    cmocka_unit_test(test_no_sweep_section),
    cmocka_unit_test(test_task_limit_error_has_line),
    cmocka_unit_test(test_task_limit_by_set_names_it),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
