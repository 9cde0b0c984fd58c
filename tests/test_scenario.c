/*
** test_scenario.c: loading, defaults, --set overrides and located errors
** of scenario files (core/scenario.c).
**
** Bad inputs are a table {text, overrides, code, file, line, fragment}:
** each text goes to a temp file, and the test checks the status, the
** FILE:LINE and a fragment of the message (Lua's lineerror style).
*/
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liq_scenario.h"
#include "csv_int.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Write 'text' to a temp file and load it with 'n' overrides. */
static int loadTemp(const char *text, const char *const *azSet, size_t n,
                    char *zPath, size_t nPath, liq_scenario **out,
                    liq_err *err) {
  liq_override aOv[16];
  size_t i;
  assert_true(n <= N_ELEMS(aOv));
  for (i = 0; i < n; i++) aOv[i].assignment = azSet[i];
  liq_test_write_temp(text, ".cfg", zPath, nPath);
  liq_err_clear(err);
  return liq_scenario_load(zPath, aOv, n, out, err);
}

/* ------------------------------------------------------------------ */
/* Valid scenarios                                                    */
/* ------------------------------------------------------------------ */

static const char zFull[] =
  "name  = \"gbm-baseline\";\n"
  "seed  = 42;\n"
  "steps = 1440;                      # number of steps\n"
  "step_seconds = 60;\n"
  "price = { model = \"gbm\"; start = 30000.0; drift = 0.05; volatility = 0.8; };\n"
  "book = {\n"
  "  positions  = 100000;\n"
  "  long_share = 0.6;\n"
  "  leverage   = { values = [2.0, 5.0, 10.0, 20.0, 50.0, 100.0];\n"
  "                 weights = [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]; };\n"
  "  notional   = { dist = \"lognormal\"; median = 5000.0; sigma = 1.5; };\n"
  "  entry      = { spread = 0.02; };\n"
  "};\n"
  "margin = { initial = 0.01; maintenance = 0.005; call_level = 1.0; liquidation_fee = 0.005; };\n"
  "impact = { model = \"sqrt\"; daily_volume = 2.0e10; coefficient = 0.7;\n"
  "           daily_volatility = 0.04; max_rounds = 50; };\n"
  "insurance = { fund = 5.0e7; };\n"
  "stats  = { quantiles = [0.001, 0.01, 0.05, 0.25, 0.5, 0.995]; every = 10; steps = false; events = true; };\n"
  "sweep  = { replicates = 100; mode = \"product\";\n"
  "           grid = ( { key = \"margin.initial\"; values = [0.01, 0.02, 0.05, 0.1]; },\n"
  "                    { key = \"book.positions\"; values = [1000, 10000]; } ); };\n"
  "calibrate = { key = \"margin.initial\"; range = [0.005, 0.5]; target = \"bad_debt_probability\"; max = 0.01; };\n";

static void test_full_scenario(void **state) {
  char zPath[512];
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  rc = loadTemp(zFull, NULL, 0, zPath, sizeof zPath, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_non_null(sc);
  assert_string_equal(sc->name, "gbm-baseline");
  assert_int_equal(sc->seed, 42);
  assert_int_equal(sc->steps, 1440);
  assert_rel(sc->step_seconds, 60.0, 0);
  assert_int_equal(sc->price.model, LIQ_PRICE_GBM);
  assert_rel(sc->price.start, 30000.0, 0);
  assert_rel(sc->price.drift, 0.05, 0);
  assert_rel(sc->price.volatility, 0.8, 0);
  assert_int_equal(sc->book.positions, 100000);
  assert_rel(sc->book.long_share, 0.6, 0);
  assert_int_equal(sc->book.n_leverage, 6);
  assert_rel(sc->book.leverage[0], 2.0, 0);
  assert_rel(sc->book.leverage[5], 100.0, 0);
  assert_rel(sc->book.weights[0], 0.25, 1e-15);
  assert_rel(sc->book.weights[5], 0.05, 1e-15);
  assert_int_equal(sc->book.notional_dist, LIQ_NOTIONAL_LOGNORMAL);
  assert_rel(sc->book.notional_median, 5000.0, 0);
  assert_rel(sc->book.notional_sigma, 1.5, 0);
  assert_rel(sc->book.entry_spread, 0.02, 0);
  assert_rel(sc->margin.initial, 0.01, 0);
  assert_rel(sc->margin.maintenance, 0.005, 0);
  assert_rel(sc->margin.call_level, 1.0, 0);
  assert_rel(sc->margin.liquidation_fee, 0.005, 0);
  assert_int_equal(sc->impact.model, LIQ_IMPACT_SQRT);
  assert_rel(sc->impact.daily_volume, 2.0e10, 0);
  assert_rel(sc->impact.coefficient, 0.7, 0);
  assert_rel(sc->impact.daily_volatility, 0.04, 0);
  assert_int_equal(sc->impact.max_rounds, 50);
  assert_rel(sc->insurance.fund, 5.0e7, 0);
  assert_int_equal(sc->stats.n_quantiles, 6);
  assert_rel(sc->stats.quantiles[0], 0.001, 0);
  assert_rel(sc->stats.quantiles[5], 0.995, 0);
  assert_int_equal(sc->stats.every, 10);
  assert_int_equal(sc->stats.steps, 0);
  assert_int_equal(sc->stats.events, 1);
  assert_string_equal(sc->text, zFull);
  assert_string_equal(sc->path, zPath);
  assert_string_equal(sc->params_json, "{}");
  liq_scenario_free(sc);
  remove(zPath);
}

/* Only the required keys: everything else takes its default. */
#define MINIMAL                                                       \
  "steps = 10;\n"                                                     \
  "step_seconds = 1.5;\n"                                             \
  "price = { model = \"gbm\"; start = 100; volatility = 0; };\n"      \
  "book = { positions = 1e5;\n"                                       \
  "  leverage = { values = [2, 4, 8, 16]; };\n"                       \
  "  notional = { dist = \"fixed\"; median = 250; }; };\n"            \
  "margin = { initial = 0.1; maintenance = 0.05; };\n"
static const char zMinimal[] = MINIMAL;

static void test_defaults(void **state) {
  char zPath[512], zName[128];
  const char *zBase, *zDot;
  liq_scenario *sc = NULL;
  liq_err err;
  size_t i;
  int rc;
  (void)state;
  rc = loadTemp(zMinimal, NULL, 0, zPath, sizeof zPath, &sc, &err);
  assert_liq_ok(rc, &err);
  /* name: the file's basename without ".cfg" */
  zBase = strrchr(zPath, '/') + 1;
  zDot = strrchr(zBase, '.');
  snprintf(zName, sizeof zName, "%.*s", (int)(zDot - zBase), zBase);
  assert_string_equal(sc->name, zName);
  assert_int_equal(sc->seed, 1);
  assert_int_equal(sc->steps, 10);
  assert_rel(sc->step_seconds, 1.5, 0);
  assert_rel(sc->price.start, 100.0, 0);        /* int accepted for a float */
  assert_rel(sc->price.drift, 0.0, 0);
  assert_int_equal(sc->book.positions, 100000); /* 1e5: whole float */
  assert_rel(sc->book.long_share, 0.5, 0);
  assert_int_equal(sc->book.n_leverage, 4);
  for (i = 0; i < 4; i++) assert_rel(sc->book.weights[i], 0.25, 0);
  assert_rel(sc->book.leverage[3], 16.0, 0);
  assert_int_equal(sc->book.notional_dist, LIQ_NOTIONAL_FIXED);
  assert_rel(sc->book.notional_median, 250.0, 0);
  assert_rel(sc->book.entry_spread, 0.0, 0);
  assert_rel(sc->margin.call_level, 1.0, 0);
  assert_rel(sc->margin.liquidation_fee, 0.0, 0);
  assert_int_equal(sc->impact.model, LIQ_IMPACT_NONE);
  assert_true(isnan(sc->impact.daily_volatility));
  assert_int_equal(sc->impact.max_rounds, 100);
  assert_rel(sc->insurance.fund, 0.0, 0);
  assert_int_equal(sc->stats.n_quantiles, 4);
  assert_rel(sc->stats.quantiles[0], 0.01, 0);
  assert_rel(sc->stats.quantiles[1], 0.05, 0);
  assert_rel(sc->stats.quantiles[2], 0.25, 0);
  assert_rel(sc->stats.quantiles[3], 0.5, 0);
  assert_int_equal(sc->stats.every, 1);
  assert_int_equal(sc->stats.steps, 1);
  assert_int_equal(sc->stats.events, 1);
  assert_string_equal(sc->params_json, "{}");
  liq_scenario_free(sc);
  remove(zPath);
}

/* Weights are normalised; integers wider than 32 bits survive libconfig. */
static void test_weights_and_wide_integers(void **state) {
  static const char zText[] =
    "seed = 5000000000;\n"
    "steps = 100000000;\n"
    "step_seconds = 60;\n"
    "price = { model = \"gbm\"; start = 1.0; volatility = 1; };\n"
    "book = { positions = 10;\n"
    "  leverage = { values = [1, 3]; weights = [1, 3]; };\n"
    "  notional = { dist = \"lognormal\"; median = 1; sigma = 0; }; };\n"
    "margin = { initial = 1; maintenance = 0.5; call_level = 0.5; };\n"
    "insurance = { fund = 50000000000; };  # 5e10 without L\n"
    "impact = { model = \"linear\"; daily_volume = 20000000000; coefficient = 0; };\n";
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  rc = liq_scenario_load_string(zText, "wide.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_string_equal(sc->name, "wide");
  assert_true(sc->seed == 5000000000ULL);
  assert_true(sc->steps == (size_t)100000000ULL);
  assert_rel(sc->book.weights[0], 0.25, 0);
  assert_rel(sc->book.weights[1], 0.75, 0);
  assert_rel(sc->insurance.fund, 5e10, 0);
  assert_int_equal(sc->impact.model, LIQ_IMPACT_LINEAR);
  assert_rel(sc->impact.daily_volume, 2e10, 0);
  assert_rel(sc->impact.coefficient, 0.0, 0);
  assert_rel(sc->margin.call_level, 0.5, 0);
  liq_scenario_free(sc);
}

static void test_replay_file(void **state) {
  const char *zPath = LIQ_TEST_DATA "/scenario_replay.cfg";
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_err_clear(&err);
  rc = liq_scenario_load(zPath, NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_string_equal(sc->name, "replay-window");
  assert_int_equal(sc->price.model, LIQ_PRICE_REPLAY);
  assert_string_equal(sc->price.file, LIQ_TEST_DATA "/scenario_prices.csv");
  assert_int_equal(sc->price.has_from, 1);
  assert_int_equal(sc->price.has_to, 1);
  assert_true(sc->price.from_ms == 1584050580000LL);
  assert_true(sc->price.to_ms == 1584057600000LL);
  assert_int_equal(sc->steps, 0);
  assert_rel(sc->step_seconds, 0.0, 0);
  assert_int_equal(sc->book.notional_dist, LIQ_NOTIONAL_FIXED);
  liq_scenario_free(sc);
}

/* The three date forms, and an absolute file name. */
static void test_replay_dates(void **state) {
  static const struct {
    const char *zFrom;
    int64_t ms;
  } aCase[] = {
    {"\"2020-03-12\"", 1583971200000LL},
    {"\"2020-03-12 22:03\"", 1584050580000LL},
    {"\"2020-03-12 22:03:30\"", 1584050610000LL},
    {"\"2024-02-29T00:00:01\"", 1709164801000LL},
    {"\"1970-01-01\"", 0},
    {"1584050580000", 1584050580000LL},
    {"1.58405058e12", 1584050580000LL},
  };
  size_t i;
  (void)state;
  for (i = 0; i < N_ELEMS(aCase); i++) {
    char zText[1024];
    liq_scenario *sc = NULL;
    liq_err err;
    int rc;
    snprintf(zText, sizeof zText,
             "price = { model = \"replay\"; file = \"%s\"; from = %s; };\n"
             "book = { positions = 1; leverage = { values = [1.0]; };\n"
             "  notional = { dist = \"fixed\"; median = 1.0; }; };\n"
             "margin = { initial = 0.5; maintenance = 0.25; };\n",
             LIQ_TEST_DATA "/scenario_prices.csv", aCase[i].zFrom);
    rc = liq_scenario_load_string(zText, "dates", NULL, 0, &sc, &err);
    assert_liq_ok(rc, &err);
    assert_int_equal(sc->price.has_from, 1);
    assert_int_equal(sc->price.has_to, 0);
    if (sc->price.from_ms != aCase[i].ms) {
      print_error("from = %s gave %lld\n", aCase[i].zFrom,
                  (long long)sc->price.from_ms);
      fail();
    }
    assert_string_equal(sc->price.file, LIQ_TEST_DATA "/scenario_prices.csv");
    liq_scenario_free(sc);
  }
}

static void test_overrides(void **state) {
  static const char *const azSet[] = {
    "margin.maintenance=0.004",
    "book.positions=1000",
    "insurance.fund=5e7",            /* creates the group */
    "stats.events=false",
    "name=\"my \\\"run\\\"\"",       /* overridden below: not in JSON */
    "impact.model=linear",           /* bare text: a string */
    " impact.daily_volume = 1e9 ",
    "impact.coefficient=2",
    "seed=7",
    "name=my-run",
  };
  char zPath[512];
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  rc = loadTemp(zMinimal, azSet, N_ELEMS(azSet), zPath, sizeof zPath, &sc,
                &err);
  assert_liq_ok(rc, &err);
  assert_rel(sc->margin.maintenance, 0.004, 0);
  assert_int_equal(sc->book.positions, 1000);
  assert_rel(sc->insurance.fund, 5e7, 0);
  assert_int_equal(sc->stats.events, 0);
  assert_int_equal(sc->impact.model, LIQ_IMPACT_LINEAR);
  assert_rel(sc->impact.daily_volume, 1e9, 0);
  assert_rel(sc->impact.coefficient, 2.0, 0);
  assert_int_equal(sc->seed, 7);
  assert_string_equal(sc->name, "my-run");
  assert_string_equal(sc->text, zMinimal);   /* the file, not the overrides */
  assert_string_equal(sc->params_json,
                      "{\"margin.maintenance\":0.004,\"book.positions\":1000,"
                      "\"insurance.fund\":50000000,\"stats.events\":false,"
                      "\"impact.model\":\"linear\","
                      "\"impact.daily_volume\":1000000000,"
                      "\"impact.coefficient\":2,\"seed\":7,"
                      "\"name\":\"my-run\"}");
  liq_scenario_free(sc);
  remove(zPath);
}

/* A quoted string value with escapes reaches the JSON escaped. */
static void test_override_json_escapes(void **state) {
  static const char *const azSet[] = {"price.model=\"gbm\"", "book.long_share=.25"};
  liq_override aOv[2];
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  aOv[0].assignment = azSet[0];
  aOv[1].assignment = azSet[1];
  rc = liq_scenario_load_string(zMinimal, "mem", aOv, 2, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_rel(sc->book.long_share, 0.25, 0);
  assert_string_equal(sc->params_json,
                      "{\"price.model\":\"gbm\",\"book.long_share\":0.25}");
  liq_scenario_free(sc);
}

/* ------------------------------------------------------------------ */
/* Exchange rules, other price models, sweeps                         */
/* ------------------------------------------------------------------ */

/* The book, margin and impact lines of zMinimal, after a price line. */
#define MIN_REST                                                      \
  "book = { positions = 1e5;\n"                                       \
  "  leverage = { values = [2, 4, 8, 16]; };\n"                       \
  "  notional = { dist = \"fixed\"; median = 250; }; };\n"            \
  "margin = { initial = 0.1; maintenance = 0.05; };\n"

static liq_scenario *loadOk(const char *zText) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc = liq_scenario_load_string(zText, "mem.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_non_null(sc);
  return sc;
}

/* impact.half_life_seconds = "inf" (file and --set), impact.permanent,
** daily_volume for a depth curve's permanent part, stats.counterfactual. */
static void test_impact_over_time_keys(void **state) {
  liq_scenario *sc = NULL;
  liq_err err;
  liq_override ov[2] = {{"impact.half_life_seconds=inf"}, {"impact.permanent=0.25"}};
  int rc;
  (void)state;
  sc = loadOk("steps = 10; step_seconds = 60;\n"
              "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n" MIN_REST
              "impact = { model = \"sqrt\"; daily_volume = 1e9; coefficient = 0.7;\n"
              "  half_life_seconds = \"inf\"; permanent = 0.2; };\n"
              "stats = { counterfactual = true; };\n");
  assert_true(isinf(sc->impact.half_life_seconds));
  assert_rel(sc->impact.permanent, 0.2, 0);
  assert_int_equal(sc->stats.counterfactual, 1);
  liq_scenario_free(sc);
  sc = loadOk("steps = 10; step_seconds = 60;\n"
              "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n" MIN_REST
              "impact = { model = \"depth\"; daily_volume = 1e9; permanent = 0.5;\n"
              "  depth = { pct = [1.0]; bid = [1e6]; ask = [1e6]; }; };\n");
  assert_rel(sc->impact.daily_volume, 1e9, 0);
  assert_rel(sc->impact.permanent, 0.5, 0);
  liq_scenario_free(sc);
  sc = NULL;
  rc = liq_scenario_load_string("steps = 10; step_seconds = 60;\n"
              "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n" MIN_REST
              "impact = { model = \"sqrt\"; daily_volume = 1e9; coefficient = 0.7;\n"
              "  half_life_seconds = 600; };\n", "mem.cfg", ov, 2, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_true(isinf(sc->impact.half_life_seconds));
  assert_rel(sc->impact.permanent, 0.25, 0);
  liq_scenario_free(sc);
}

/* Every new field has its documented default when its key is absent. */
static void test_new_defaults(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk(zMinimal);
  assert_rel(sc->price.jump_intensity, 0.0, 0);
  assert_rel(sc->price.garch_mu, 0.0, 0);
  assert_true(isnan(sc->price.garch_variance0));
  assert_string_equal(sc->price.file, "");
  assert_int_equal(sc->book.entry_mode, LIQ_ENTRY_SPREAD);
  assert_int_equal(sc->book.entry_lookback, 0);
  assert_string_equal(sc->book.file, "");
  assert_int_equal(sc->margin.n_tiers, 0);
  assert_rel(sc->margin.maintenance, 0.05, 0);
  assert_int_equal(sc->margin.partial_mode, LIQ_PARTIAL_NONE);
  assert_rel(sc->margin.topup_share, 0.0, 0);
  assert_int_equal(sc->margin.topup_delay, 0);
  assert_int_equal(sc->funding.mode, LIQ_FUNDING_NONE);
  assert_rel(sc->funding.interval_seconds, 28800.0, 0);
  assert_true(isinf(sc->impact.half_life_seconds));   /* no decay */
  assert_true(sc->impact.permanent == 0.0);
  assert_int_equal(sc->stats.counterfactual, 0);
  assert_int_equal(sc->impact.n_depth, 0);
  assert_int_equal(sc->insurance.policy, LIQ_POLICY_NONE);
  assert_int_equal(sc->sweep.present, 0);
  assert_int_equal(sc->sweep.replicates, 1);
  assert_int_equal(sc->sweep.n_axes, 0);
  liq_scenario_free(sc);
}

static void test_price_jump(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk("steps = 500; step_seconds = 60;\n"
              "price = { model = \"jump\"; start = 30000.0; volatility = 0.6;\n"
              "  intensity = 12; jump_mean = -0.025; jump_sd = 0.04; };\n"
              MIN_REST);
  assert_int_equal(sc->price.model, LIQ_PRICE_JUMP);
  assert_rel(sc->price.start, 30000.0, 0);
  assert_rel(sc->price.drift, 0.0, 0);
  assert_rel(sc->price.volatility, 0.6, 0);
  assert_rel(sc->price.jump_intensity, 12.0, 0);
  assert_rel(sc->price.jump_mean, -0.025, 0);
  assert_rel(sc->price.jump_sd, 0.04, 0);
  assert_int_equal(sc->steps, 500);
  assert_rel(sc->step_seconds, 60.0, 0);
  liq_scenario_free(sc);
}

static void test_price_garch(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk("steps = 10; step_seconds = 3600;\n"
              "price = { model = \"garch\"; start = 100; omega = 2e-7;\n"
              "  alpha = 0.08; beta = 0.9; nu = 4.5; };\n" MIN_REST);
  assert_int_equal(sc->price.model, LIQ_PRICE_GARCH);
  assert_rel(sc->price.start, 100.0, 0);
  assert_rel(sc->price.garch_mu, 0.0, 0);
  assert_rel(sc->price.garch_omega, 2e-7, 0);
  assert_rel(sc->price.garch_alpha, 0.08, 0);
  assert_rel(sc->price.garch_beta, 0.9, 0);
  assert_rel(sc->price.garch_nu, 4.5, 0);
  assert_true(isnan(sc->price.garch_variance0));   /* unconditional */
  liq_scenario_free(sc);
  sc = loadOk("steps = 10; step_seconds = 3600;\n"
              "price = { model = \"garch\"; start = 100; mu = -1e-5; omega = 1e-7;\n"
              "  alpha = 0; beta = 0; nu = 30; variance0 = 4e-6; };\n" MIN_REST);
  assert_rel(sc->price.garch_mu, -1e-5, 0);
  assert_rel(sc->price.garch_variance0, 4e-6, 0);
  liq_scenario_free(sc);
}

static void test_price_bootstrap(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk("steps = 5000;\n"
              "price = { model = \"bootstrap\"; file = \"" LIQ_TEST_DATA
              "/scenario_prices.csv\"; };\n" MIN_REST);
  assert_int_equal(sc->price.model, LIQ_PRICE_BOOTSTRAP);
  assert_string_equal(sc->price.file, LIQ_TEST_DATA "/scenario_prices.csv");
  assert_rel(sc->price.block, 20.0, 0);
  assert_true(isnan(sc->price.start));           /* the window's first open */
  assert_int_equal(sc->price.has_from, 0);
  assert_int_equal(sc->price.has_to, 0);
  assert_int_equal(sc->steps, 5000);
  assert_rel(sc->step_seconds, 0.0, 0);         /* from the file */
  liq_scenario_free(sc);
  sc = loadOk("steps = 7;\n"
              "price = { model = \"bootstrap\"; file = \"" LIQ_TEST_DATA
              "/scenario_prices.csv\";\n  from = \"2020-03-12 22:03\"; "
              "to = 1584057600000; block = 1; start = 8000; };\n" MIN_REST);
  assert_int_equal(sc->price.has_from, 1);
  assert_true(sc->price.from_ms == 1584050580000LL);
  assert_int_equal(sc->price.has_to, 1);
  assert_true(sc->price.to_ms == 1584057600000LL);
  assert_rel(sc->price.block, 1.0, 0);
  assert_rel(sc->price.start, 8000.0, 0);
  liq_scenario_free(sc);
}

/* tests/data/scenario_exchange.cfg: every exchange rule, files relative. */
static void test_exchange_rules_file(void **state) {
  static const double aAmount[] = {0.0, 50.0, 1300.0, 16300.0};
  liq_scenario *sc = NULL;
  liq_err err;
  size_t i;
  int rc;
  (void)state;
  liq_err_clear(&err);
  rc = liq_scenario_load(LIQ_TEST_DATA "/scenario_exchange.cfg", NULL, 0, &sc,
                         &err);
  assert_liq_ok(rc, &err);
  assert_string_equal(sc->name, "exchange-rules");
  /* book.file: positions stay 0 until the file is read */
  assert_string_equal(sc->book.file, LIQ_TEST_DATA "/scenario_positions.csv");
  assert_int_equal(sc->book.positions, 0);
  /* tiers: Binance BTCUSDT, amounts computed for continuity */
  assert_int_equal(sc->margin.n_tiers, 4);
  for (i = 0; i < 4; i++) assert_rel(sc->margin.tiers[i].amount, aAmount[i], 1e-12);
  assert_rel(sc->margin.tiers[0].floor, 0.0, 0);
  assert_rel(sc->margin.tiers[3].floor, 1e6, 0);
  assert_rel(sc->margin.tiers[1].max_leverage, 100.0, 0);
  assert_rel(sc->margin.tiers[3].max_leverage, 20.0, 0);
  assert_rel(sc->margin.tiers[2].maintenance, 0.01, 0);
  assert_rel(sc->margin.maintenance, 0.004, 0);  /* the first tier's rate */
  assert_rel(sc->margin.initial, 0.008, 0);
  assert_rel(sc->margin.liquidation_fee, 0.0125, 0);
  assert_int_equal(sc->margin.partial_mode, LIQ_PARTIAL_RESTORE);
  assert_rel(sc->margin.partial_buffer, 0.1, 0);
  assert_rel(sc->margin.topup_share, 0.3, 0);
  assert_int_equal(sc->margin.topup_delay, 5);
  assert_int_equal(sc->funding.mode, LIQ_FUNDING_FILE);
  assert_string_equal(sc->funding.file, LIQ_TEST_DATA "/scenario_funding.csv");
  assert_int_equal(sc->impact.model, LIQ_IMPACT_DEPTH);
  assert_rel(sc->impact.half_life_seconds, 600.0, 0);
  assert_int_equal(sc->impact.max_rounds, 20);
  assert_int_equal(sc->impact.n_depth, 4);
  assert_rel(sc->impact.depth_pct[0], 0.1, 0);
  assert_rel(sc->impact.depth_bid[0], 1e6, 0);
  assert_rel(sc->impact.depth_ask[0], 1.2e6, 0);
  assert_rel(sc->impact.depth_pct[3], 2.0, 0);
  assert_rel(sc->impact.depth_bid[3], 3e7, 0);
  assert_rel(sc->impact.depth_ask[3], 3.2e7, 0);
  assert_true(isnan(sc->impact.daily_volatility));
  assert_int_equal(sc->insurance.policy, LIQ_POLICY_ADL_RANKED);
  assert_rel(sc->insurance.fund, 5e7, 0);
  liq_scenario_free(sc);
}

/* Given amounts stay and carry into the computed ones after them. */
static void test_tier_amounts_given(void **state) {
  static const char zText[] =
    "steps = 10; step_seconds = 60;\n"
    "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n"
    "book = { positions = 10; leverage = { values = [5.0]; };\n"
    "  notional = { dist = \"fixed\"; median = 100; }; };\n"
    "margin = { initial = 0.01; call_level = 0.5;\n"
    "  tiers = ( { floor = 0; max_leverage = 125; maintenance = 0.004; amount = 0; },\n"
    "            { floor = 50000; max_leverage = 100; maintenance = 0.005; },\n"
    "            { floor = 250000; max_leverage = 50; maintenance = 0.01; amount = 1400; },\n"
    "            { floor = 1000000; max_leverage = 20; maintenance = 0.025; },\n"
    "            { floor = 5e6; max_leverage = 10; maintenance = 0.05; } ); };\n";
  liq_scenario *sc = loadOk(zText);
  (void)state;
  assert_int_equal(sc->margin.n_tiers, 5);
  assert_rel(sc->margin.tiers[0].amount, 0.0, 0);
  assert_rel(sc->margin.tiers[1].amount, 50.0, 1e-12);
  assert_rel(sc->margin.tiers[2].amount, 1400.0, 0);
  assert_rel(sc->margin.tiers[3].amount, 16400.0, 1e-12);
  assert_rel(sc->margin.tiers[4].amount, 141400.0, 1e-12);
  assert_rel(sc->margin.maintenance, 0.004, 0);
  assert_rel(sc->margin.call_level, 0.5, 0);
  liq_scenario_free(sc);
}

/* Partial chunks, constant funding, inline depth (with integers wider than
** 32 bits in its arrays), history entries, every policy name. */
static void test_exchange_rules_inline(void **state) {
  static const struct {
    const char *zPolicy;
    int policy;
  } aPolicy[] = {
    {"none", LIQ_POLICY_NONE}, {"adl-ranked", LIQ_POLICY_ADL_RANKED},
    {"adl-prorata", LIQ_POLICY_ADL_PRORATA}, {"socialize", LIQ_POLICY_SOCIALIZE},
  };
  size_t i;
  (void)state;
  for (i = 0; i < N_ELEMS(aPolicy); i++) {
    char zText[2048];
    liq_scenario *sc;
    snprintf(zText, sizeof zText,
             "steps = 10; step_seconds = 60;\n"
             "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n"
             "book = { positions = 10; leverage = { values = [5.0]; };\n"
             "  notional = { dist = \"fixed\"; median = 100; };\n"
             "  entry = { from = \"history\"; lookback_steps = 1440; }; };\n"
             "margin = { initial = 0.1; maintenance = 0.05;\n"
             "  partial = { mode = \"chunk\"; share = 0.25; cooldown_steps = 3; };\n"
             "  topup = { share = 1; }; };\n"
             "funding = { rate = -0.0003; interval_seconds = 3600; };\n"
             "impact = { model = \"depth\"; half_life_seconds = 0.5;\n"
             "  depth = { pct = [1, 2, 5]; bid = [1000000, 5000000000, 6000000000];\n"
             "            ask = [2e6, 3e9, 7e9]; }; };\n"
             "insurance = { policy = \"%s\"; };\n", aPolicy[i].zPolicy);
    sc = loadOk(zText);
    assert_int_equal(sc->insurance.policy, aPolicy[i].policy);
    assert_int_equal(sc->book.entry_mode, LIQ_ENTRY_HISTORY);
    assert_int_equal(sc->book.entry_lookback, 1440);
    assert_rel(sc->book.entry_spread, 0.0, 0);
    assert_int_equal(sc->margin.partial_mode, LIQ_PARTIAL_CHUNK);
    assert_rel(sc->margin.partial_share, 0.25, 0);
    assert_int_equal(sc->margin.partial_cooldown, 3);
    assert_rel(sc->margin.topup_share, 1.0, 0);
    assert_int_equal(sc->margin.topup_delay, 0);
    assert_int_equal(sc->funding.mode, LIQ_FUNDING_CONSTANT);
    assert_rel(sc->funding.rate, -0.0003, 0);
    assert_rel(sc->funding.interval_seconds, 3600.0, 0);
    assert_int_equal(sc->impact.model, LIQ_IMPACT_DEPTH);
    assert_rel(sc->impact.half_life_seconds, 0.5, 0);
    assert_int_equal(sc->impact.n_depth, 3);
    assert_rel(sc->impact.depth_pct[1], 2.0, 0);
    assert_rel(sc->impact.depth_bid[0], 1e6, 0);
    assert_rel(sc->impact.depth_bid[1], 5e9, 0);
    assert_rel(sc->impact.depth_bid[2], 6e9, 0);
    assert_rel(sc->impact.depth_ask[2], 7e9, 0);
    liq_scenario_free(sc);
  }
}

/* A depth CSV without a header, with comments, blank lines and CRLF; a
** transient sqrt impact; restore with an explicit buffer. */
static void test_depth_file_variants(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk("steps = 10; step_seconds = 60;\n"
              "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n"
              "book = { positions = 10; leverage = { values = [5.0]; };\n"
              "  notional = { dist = \"fixed\"; median = 100; }; };\n"
              "margin = { initial = 0.1; maintenance = 0.05;\n"
              "  partial = { mode = \"restore\"; buffer = 0.05; }; };\n"
              "impact = { model = \"depth\"; depth_file = \"" LIQ_TEST_DATA
              "/scenario_depth_noheader.csv\"; };\n");
  assert_int_equal(sc->impact.n_depth, 2);
  assert_rel(sc->impact.depth_pct[0], 0.25, 0);
  assert_rel(sc->impact.depth_bid[0], 2e6, 0);
  assert_rel(sc->impact.depth_ask[0], 2.5e6, 0);
  assert_rel(sc->impact.depth_pct[1], 1.0, 0);
  assert_rel(sc->impact.depth_bid[1], 9e6, 0);
  assert_rel(sc->impact.depth_ask[1], 1e7, 0);
  assert_true(isinf(sc->impact.half_life_seconds));
  assert_int_equal(sc->margin.partial_mode, LIQ_PARTIAL_RESTORE);
  assert_rel(sc->margin.partial_buffer, 0.05, 0);
  liq_scenario_free(sc);
  sc = loadOk("steps = 10; step_seconds = 60;\n"
              "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n"
              MIN_REST
              "impact = { model = \"sqrt\"; daily_volume = 1e9; coefficient = 0.5;\n"
              "  half_life_seconds = 900; };\n");
  assert_int_equal(sc->impact.model, LIQ_IMPACT_SQRT);
  assert_rel(sc->impact.half_life_seconds, 900.0, 0);
  liq_scenario_free(sc);
}

/* Sweep axes: values, ranges (inclusive, rounded to 15 digits), zip. */
static void test_sweep_axes(void **state) {
  liq_scenario *sc;
  (void)state;
  sc = loadOk(MINIMAL
              "sweep = { replicates = 20;\n"
              "  grid = ( { key = \"margin.initial\"; values = [0.1, 0.2, 0.5]; },\n"
              "           { key = \"margin.maintenance\"; range = [0.01, 0.05, 0.01]; },\n"
              "           { key = \"book.positions\"; range = [1000, 5000, 1000]; },\n"
              "           { key = \"price.volatility\"; range = [0.1, 0.7, 0.3]; },\n"
              "           { key = \"seed\"; values = [1, 5000000000]; },\n"
              "           { key = \"funding.rate\"; range = [-0.0001, -0.0001, 1.0]; } ); };\n");
  assert_int_equal(sc->sweep.present, 1);
  assert_int_equal(sc->sweep.replicates, 20);
  assert_int_equal(sc->sweep.zip, 0);
  assert_int_equal(sc->sweep.n_axes, 6);
  assert_string_equal(sc->sweep.axes[0].key, "margin.initial");
  assert_int_equal(sc->sweep.axes[0].n_values, 3);
  assert_rel(sc->sweep.axes[0].values[2], 0.5, 0);
  assert_string_equal(sc->sweep.axes[1].key, "margin.maintenance");
  assert_int_equal(sc->sweep.axes[1].n_values, 5);
  assert_true(sc->sweep.axes[1].values[0] == 0.01);
  assert_true(sc->sweep.axes[1].values[1] == 0.02);
  assert_true(sc->sweep.axes[1].values[2] == 0.03);   /* not 0.030000000000000002 */
  assert_true(sc->sweep.axes[1].values[3] == 0.04);
  assert_true(sc->sweep.axes[1].values[4] == 0.05);   /* 'to' included */
  assert_int_equal(sc->sweep.axes[2].n_values, 5);
  assert_true(sc->sweep.axes[2].values[4] == 5000.0);
  assert_int_equal(sc->sweep.axes[3].n_values, 3);   /* 0.1, 0.4, 0.7 */
  assert_true(sc->sweep.axes[3].values[1] == 0.4);
  assert_true(sc->sweep.axes[3].values[2] == 0.7);
  assert_true(sc->sweep.axes[4].values[1] == 5e9);   /* widened in an array */
  assert_int_equal(sc->sweep.axes[5].n_values, 1);
  assert_true(sc->sweep.axes[5].values[0] == -0.0001);
  liq_scenario_free(sc);

  sc = loadOk(MINIMAL
              "sweep = { mode = \"zip\";\n"
              "  grid = ( { key = \"margin.initial\"; range = [0.1, 0.3, 0.1]; },\n"
              "           { key = \"margin.partial.share\"; values = (0.25, 0.5, 1); } ); };\n");
  assert_int_equal(sc->sweep.zip, 1);
  assert_int_equal(sc->sweep.replicates, 1);
  assert_int_equal(sc->sweep.n_axes, 2);
  assert_int_equal(sc->sweep.axes[0].n_values, 3);
  assert_true(sc->sweep.axes[0].values[2] == 0.3);
  assert_rel(sc->sweep.axes[1].values[2], 1.0, 0);
  liq_scenario_free(sc);

  sc = loadOk(MINIMAL "sweep = { replicates = 3; };\n");
  assert_int_equal(sc->sweep.present, 1);
  assert_int_equal(sc->sweep.replicates, 3);
  assert_int_equal(sc->sweep.n_axes, 0);
  liq_scenario_free(sc);
}

static void test_is_sweep_key(void **state) {
  static const char *const azYes[] = {
    "margin.initial", "margin.maintenance", "book.positions", "price.intensity",
    "price.jump_mean", "price.jump_sd", "price.omega", "price.alpha",
    "price.beta", "price.nu", "price.block", "margin.partial.buffer",
    "margin.partial.share", "margin.topup.share", "funding.rate",
    "impact.half_life_seconds", "book.entry.lookback_steps", "seed"};
  static const char *const azNo[] = {
    "margin", "margin.tiers", "price.model", "price.file", "name",
    "margin.initial.x", "", "Margin.initial", "insurance.policy"};
  size_t i;
  (void)state;
  for (i = 0; i < N_ELEMS(azYes); i++) {
    if (!liq_scenario_is_sweep_key(azYes[i])) {
      print_error("%s should be a sweep key\n", azYes[i]);
      fail();
    }
  }
  for (i = 0; i < N_ELEMS(azNo); i++) {
    if (liq_scenario_is_sweep_key(azNo[i])) {
      print_error("%s should not be a sweep key\n", azNo[i]);
      fail();
    }
  }
  assert_int_equal(liq_scenario_is_sweep_key(NULL), 0);
}

/* --set reaches the new keys, creating their groups. */
static void test_overrides_new_keys(void **state) {
  static const char *const azSet[] = {
    "price.model=jump", "price.intensity=4", "price.jump_mean=-0.1",
    "price.jump_sd=0.02", "margin.partial.mode=chunk",
    "margin.partial.share=0.5", "margin.topup.share=0.2",
    "funding.rate=0.0001", "insurance.policy=socialize",
    "book.entry.from=history", "book.entry.lookback_steps=60",
  };
  liq_override aOv[N_ELEMS(azSet)];
  liq_scenario *sc = NULL;
  liq_err err;
  size_t i;
  int rc;
  (void)state;
  for (i = 0; i < N_ELEMS(azSet); i++) aOv[i].assignment = azSet[i];
  rc = liq_scenario_load_string("steps = 10; step_seconds = 60;\n"
                                "price = { model = \"gbm\"; start = 100; volatility = 0.5; };\n"
                                MIN_REST, "mem", aOv, N_ELEMS(aOv), &sc, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(sc->price.model, LIQ_PRICE_JUMP);
  assert_rel(sc->price.jump_intensity, 4.0, 0);
  assert_rel(sc->price.jump_mean, -0.1, 0);
  assert_rel(sc->price.jump_sd, 0.02, 0);
  assert_int_equal(sc->margin.partial_mode, LIQ_PARTIAL_CHUNK);
  assert_rel(sc->margin.partial_share, 0.5, 0);
  assert_rel(sc->margin.topup_share, 0.2, 0);
  assert_int_equal(sc->funding.mode, LIQ_FUNDING_CONSTANT);
  assert_rel(sc->funding.rate, 0.0001, 0);
  assert_int_equal(sc->insurance.policy, LIQ_POLICY_SOCIALIZE);
  assert_int_equal(sc->book.entry_mode, LIQ_ENTRY_HISTORY);
  assert_int_equal(sc->book.entry_lookback, 60);
  liq_scenario_free(sc);
}

/* ------------------------------------------------------------------ */
/* Bad inputs                                                         */
/* ------------------------------------------------------------------ */

/* A valid scenario, one setting per line (line numbers in comments). */
#define L_STEPS  "steps = 100;\n"                                                  /* 1 */
#define L_DT     "step_seconds = 60;\n"                                            /* 2 */
#define L_PRICE  "price = { model = \"gbm\"; start = 100.0; volatility = 0.5; };\n" /* 3 */
#define L_BOOK   "book = { positions = 1000;\n"                                    /* 4 */
#define L_LEV    "  leverage = { values = [2.0, 10.0]; weights = [0.5, 0.5]; };\n"  /* 5 */
#define L_NOT    "  notional = { dist = \"lognormal\"; median = 1000.0; sigma = 1.0; }; };\n" /* 6 */
#define L_MARGIN "margin = { initial = 0.01; maintenance = 0.005; };\n"            /* 7 */
#define GOOD L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT L_MARGIN
#define CSV  LIQ_TEST_DATA "/scenario_prices.csv"
#define REPLAY(rest) "price = { model = \"replay\"; file = \"" CSV "\"; " rest " };\n"

typedef struct BadCase {
  const char *zWhat;          /* what the case is about */
  const char *zText;          /* scenario text */
  const char *azSet[3];       /* overrides, NULL-terminated */
  int code;                   /* expected status */
  const char *zFile;          /* "--set", or NULL for the temp file */
  int line;                   /* expected err.line */
  const char *zFrag;          /* expected fragment of err.msg */
} BadCase;

static const BadCase aBad[] = {
  {"syntax error", "steps = ;\n", {NULL}, LIQ_INPUT, NULL, 1, "syntax error"},
  {"syntax error later", L_STEPS L_DT "price = { model = \"gbm\"; start = ; };\n",
   {NULL}, LIQ_INPUT, NULL, 3, "syntax error"},
  {"mixed array", L_STEPS "x = [1, 2.0];\n", {NULL}, LIQ_INPUT, NULL, 2,
   "mismatched element type"},
  {"empty file", "", {NULL}, LIQ_INPUT, NULL, 1, "empty scenario file"},
  {"only comments", "# nothing here\n\n", {NULL}, LIQ_INPUT, NULL, 1,
   "empty scenario file"},
  {"unknown top-level key", GOOD "colour = \"red\";\n", {NULL}, LIQ_INPUT, NULL,
   8, "unknown key 'colour' at top level (expected one of: name, seed"},
  {"typo in price", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 100.0; volatilty = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "unknown key 'volatilty' in price (expected one of: model, start, drift, "
   "volatility, substeps)"},
  {"typo in book.notional", L_STEPS L_DT L_PRICE L_BOOK L_LEV
   "  notional = { dist = \"lognormal\"; median = 1000.0; sigam = 1.0; }; };\n"
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 6,
   "unknown key 'sigam' in book.notional"},
  {"maintenance above initial", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0.02; };\n", {NULL}, LIQ_INPUT,
   NULL, 7, "margin.maintenance must be below margin.initial (0.01), got 0.02"},
  {"maintenance equal to initial", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0.01; };\n", {NULL}, LIQ_INPUT,
   NULL, 7, "margin.maintenance must be below margin.initial (0.01), got 0.01"},
  {"maintenance zero", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0; };\n", {NULL}, LIQ_INPUT,
   NULL, 7, "margin.maintenance must be in (0, margin.initial), got 0"},
  {"initial above one", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 1.5; maintenance = 0.01; };\n", {NULL}, LIQ_INPUT,
   NULL, 7, "margin.initial must be in (0, 1], got 1.5"},
  {"call level below maintenance", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0.005; call_level = 0.2; };\n",
   {NULL}, LIQ_INPUT, NULL, 7,
   "margin.call_level must be >= margin.maintenance / margin.initial (0.5), "
   "got 0.2"},
  {"call level above notional", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.5; maintenance = 0.1; call_level = 3; };\n",
   {NULL}, LIQ_INPUT, NULL, 7, "margin.call_level * margin.initial must be <= 1"},
  {"fee too high", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0.005; liquidation_fee = 0.2; };\n",
   {NULL}, LIQ_INPUT, NULL, 7, "margin.liquidation_fee must be in [0, 0.1], got 0.2"},
  {"leverage value 0", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = [0.0, 10.0]; weights = [0.5, 0.5]; };\n" L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage.values[0] must be >= 1, got 0"},
  {"leverage value negative", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = [2.0, -5.0]; weights = [0.5, 0.5]; };\n" L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage.values[1] must be >= 1, got -5"},
  {"leverage empty", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = []; };\n" L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL,
   5, "book.leverage.values must have 1 to 32 values, got 0"},
  {"weights length mismatch", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = [2.0, 10.0]; weights = [1.0]; };\n" L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage.weights has 1 values but book.leverage.values has 2"},
  {"weights all zero", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = [2.0, 10.0]; weights = [0.0, 0.0]; };\n" L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage.weights must not all be zero"},
  {"weight negative", L_STEPS L_DT L_PRICE L_BOOK
   "  leverage = { values = [2.0, 10.0]; weights = [1.0, -1.0]; };\n" L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage.weights[1] must be >= 0, got -1"},
  {"positions 0", L_STEPS L_DT L_PRICE "book = { positions = 0;\n" L_LEV L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "book.positions must be in [1, 100000000], got 0"},
  {"positions not whole", L_STEPS L_DT L_PRICE "book = { positions = 1000.5;\n"
   L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "book.positions must be a whole number, got 1000.5"},
  {"positions too many", L_STEPS L_DT L_PRICE "book = { positions = 1e9;\n"
   L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "book.positions must be in [1, 100000000], got 1000000000"},
  {"positions missing", L_STEPS L_DT L_PRICE "book = {\n" L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 4, "book.positions is required"},
  {"long_share 1.5", L_STEPS L_DT L_PRICE
   "book = { positions = 1000; long_share = 1.5;\n" L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 4, "book.long_share must be in [0, 1], got 1.5"},
  {"sigma with fixed", L_STEPS L_DT L_PRICE L_BOOK L_LEV
   "  notional = { dist = \"fixed\"; median = 1000.0; sigma = 1.0; }; };\n"
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 6,
   "book.notional.sigma is not used by dist fixed"},
  {"sigma missing for lognormal", L_STEPS L_DT L_PRICE L_BOOK L_LEV
   "  notional = { dist = \"lognormal\"; median = 1000.0; }; };\n" L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 6,
   "book.notional.sigma is required for dist lognormal"},
  {"volatility negative", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 100.0; volatility = -0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.volatility must be in [0, 100], got -0.5"},
  {"start 0", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 0; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.start must be in [1e-12, 1000000000000], got 0"},
  {"start overflows to inf", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 1e400; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.start must be finite, got inf"},
  {"start missing", L_STEPS L_DT
   "price = { model = \"gbm\";\n  volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.start is required for model gbm"},
  {"integer beyond 64 bits", "seed = 99999999999999999999;\n" GOOD, {NULL},
   LIQ_INPUT, NULL, 1, "integer 99999999999999999999 is out of range"},
  {"seed negative", "seed = -3;\n" GOOD, {NULL}, LIQ_INPUT, NULL, 1,
   "seed must be >= 0, got -3"},
  {"wrong type: string for number", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = \"0.01\"; maintenance = 0.005; };\n", {NULL},
   LIQ_INPUT, NULL, 7, "margin.initial must be a number, got a string"},
  {"wrong type: number for group", GOOD "impact = 3;\n", {NULL}, LIQ_INPUT,
   NULL, 8, "impact must be a group { ... }, got an integer"},
  {"wrong type: int for bool", GOOD "stats = { steps = 1; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "stats.steps must be true or false, got an integer"},
  {"unknown price model", L_STEPS L_DT
   "price = { model = \"brownian\"; start = 100.0; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.model \"brownian\" is unknown (expected gbm, replay, jump, garch or "
   "bootstrap)"},
  {"gbm key with garch", L_STEPS L_DT
   "price = { model = \"garch\"; start = 100.0; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.volatility is only used when model is gbm or jump (model garch "
   "takes: model, start, mu, omega, alpha, beta, nu, variance0)"},
  {"price model missing", L_STEPS L_DT "price = { start = 100.0; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.model is required (gbm, replay, jump, garch or bootstrap)"},
  {"price missing", L_STEPS L_DT L_BOOK L_LEV L_NOT L_MARGIN, {NULL},
   LIQ_INPUT, NULL, 1, "price is required"},
  {"margin missing", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT, {NULL},
   LIQ_INPUT, NULL, 1, "margin is required"},
  {"replay missing file", "price = { model = \"replay\"; };\n" L_BOOK L_LEV
   L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 1,
   "price.file is required for model replay"},
  {"replay file not found", "price = { model = \"replay\"; file = "
   "\"no-such-file.csv\"; };\n" L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT,
   NULL, 1, "no-such-file.csv\" cannot be opened"},
  {"replay with volatility", REPLAY("volatility = 0.5;") L_BOOK L_LEV L_NOT
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 1,
   "price.volatility is only used when model is gbm or jump (model replay "
   "takes: model, file, from, to)"},
  {"replay with step_seconds", L_DT REPLAY("") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1,
   "step_seconds is not used with price.model replay"},
  {"gbm with file", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 1.0; volatility = 0.5; file = \"x\"; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.file is only used when model is replay or bootstrap (model gbm "
   "takes: model, start, drift, volatility)"},
  {"from after to", REPLAY("from = \"2020-03-13\";\n  to = \"2020-03-12 12:00\";")
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 1,
   "price.from (2020-03-13 00:00:00 UTC) must not be after price.to "
   "(2020-03-12 12:00:00 UTC)"},
  {"bad date", REPLAY("\n  from = \"2020-02-30\";") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 2, "price.from \"2020-02-30\" is not a date"},
  {"bad date format", REPLAY("to = \"12/03/2020\";") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1, "price.to \"12/03/2020\" is not a date"},
  {"gbm missing steps", L_DT L_PRICE L_BOOK L_LEV L_NOT L_MARGIN, {NULL},
   LIQ_INPUT, NULL, 1, "steps is required for price.model gbm"},
  {"gbm missing step_seconds", L_STEPS L_PRICE L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1, "step_seconds is required for price.model gbm"},
  {"steps 0 for gbm", "steps = 0;\n" L_DT L_PRICE L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1, "steps must be in [1, 100000000], got 0"},
  {"impact sqrt missing daily_volume",
   GOOD "impact = { model = \"sqrt\"; coefficient = 0.7; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "impact.daily_volume is required for model sqrt"},
  {"impact none with coefficient",
   GOOD "impact = { model = \"none\";\n  coefficient = 0.7; };\n", {NULL},
   LIQ_INPUT, NULL, 9, "impact.coefficient is only used when model is linear "
   "or sqrt (model none takes: model, max_rounds)"},
  {"impact max_rounds 0", GOOD "impact = { model = \"none\"; max_rounds = 0; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "impact.max_rounds must be in [1, 100000], got 0"},
  {"insurance fund huge", GOOD "insurance = { fund = -1e999; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "insurance.fund must be finite"},
  {"quantiles unsorted", GOOD "stats = { quantiles = [0.05, 0.5,\n 0.25]; };\n",
   {NULL}, LIQ_INPUT, NULL, 9, "stats.quantiles must be strictly increasing"},
  {"quantile 1.0", GOOD "stats = { quantiles = [0.5, 1.0]; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "stats.quantiles[1] must be in (0, 1), got 1"},
  {"quantile labels collide", GOOD "stats = { quantiles = [0.5, 0.5000000001]; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "same column name (cushion_q50)"},
  {"name with spaces", "name = \"my run\";\n" GOOD, {NULL}, LIQ_INPUT, NULL, 1,
   "name must match [A-Za-z0-9_-][A-Za-z0-9_.-]* (no leading '.': results/NAME.db would be hidden), got \"my run\""},
  {"sweep bad key", GOOD "sweep = { replicates = 2;\n  grid = ( { key = "
   "\"margin.initail\"; values = [0.01]; } ); };\n", {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].key \"margin.initail\" is not a sweep key (expected a numeric"},
  {"sweep unknown key", GOOD "sweep = { replicate = 2; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "unknown key 'replicate' in sweep"},
  {"sweep replicates 0", GOOD "sweep = { replicates = 0; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "sweep.replicates must be >= 1, got 0"},
  {"sweep zip lengths", GOOD "sweep = { mode = \"zip\"; grid = ( { key = "
   "\"margin.initial\"; values = [0.01, 0.02]; }, { key = \"book.positions\"; "
   "values = [10]; } ); };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "sweep.grid[1] has 1 values but sweep.grid[0] has 2"},
  {"calibrate missing target", GOOD "calibrate = { key = \"margin.initial\"; "
   "range = [0.01, 0.1]; max = 0.01; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "calibrate.target is required"},

  /* --set */
  {"--set maintenance above initial", GOOD, {"margin.maintenance=0.5", NULL},
   LIQ_INPUT, "--set", 1,
   "margin.maintenance must be below margin.initial (0.01), got 0.5"},
  {"--set initial below file's maintenance", GOOD,
   {"seed=3", "margin.initial=0.004", NULL}, LIQ_INPUT, "--set", 2,
   "margin.maintenance must be below margin.initial (0.004), got 0.005"},
  {"--set without '='", GOOD, {"margin.maintenance", NULL}, LIQ_USAGE, "--set",
   1, "--set needs key=value"},
  {"--set empty key", GOOD, {"seed=2", "=5", NULL}, LIQ_USAGE, "--set", 2,
   "--set key must be a dotted path"},
  {"--set empty path part", GOOD, {"margin..initial=0.1", NULL}, LIQ_USAGE,
   "--set", 1, "--set key must be a dotted path"},
  {"--set empty value", GOOD, {"seed=", NULL}, LIQ_USAGE, "--set", 1,
   "has no value"},
  {"--set unknown key", GOOD, {"seed=3", "margin.maintenace=0.004", NULL},
   LIQ_INPUT, "--set", 2, "unknown key 'maintenace' in margin"},
  {"--set unknown group", GOOD, {"colour.hue=3", NULL}, LIQ_INPUT, "--set", 1,
   "unknown key 'colour' at top level"},
  {"--set on a group", GOOD, {"margin=0.01", NULL}, LIQ_INPUT, "--set", 1,
   "--set can only set scalars, and margin is a group"},
  {"--set on an array", GOOD, {"book.leverage.values=2", NULL}, LIQ_INPUT,
   "--set", 1, "--set can only set scalars"},
  {"--set below a scalar", GOOD, {"steps.low=1", NULL}, LIQ_INPUT, "--set", 1,
   "steps is an integer, not a group"},
  {"--set wrong type", GOOD, {"book.positions=many", NULL}, LIQ_INPUT, "--set",
   1, "book.positions must be an integer, got a string"},
  {"--set infinite", GOOD, {"price.drift=1e999", NULL}, LIQ_INPUT, "--set", 1,
   "price.drift must be finite, got inf"},
  {"--set creates a group missing keys", GOOD, {"impact.model=sqrt", NULL},
   LIQ_INPUT, "--set", 1, "impact.daily_volume is required for model sqrt"},

  /* price.model jump */
#define WITH_PRICE(pr) L_STEPS L_DT pr L_BOOK L_LEV L_NOT L_MARGIN
#define JUMP(rest) "price = { model = \"jump\"; start = 100.0; volatility = 0.5; " rest " };\n"
#define JUMP_OK "intensity = 10; jump_mean = -0.02; jump_sd = 0.05;"
  {"jump missing intensity", WITH_PRICE(JUMP("jump_mean = -0.02; jump_sd = 0.05;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.intensity is required for model jump"},
  {"jump intensity negative", WITH_PRICE(JUMP("intensity = -1; jump_mean = 0; jump_sd = 0;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.intensity must be >= 0, got -1"},
  {"jump missing jump_mean", WITH_PRICE(JUMP("intensity = 1; jump_sd = 0.05;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.jump_mean is required for model jump"},
  {"jump jump_mean string", WITH_PRICE(JUMP("intensity = 1; jump_mean = \"-2%\"; jump_sd = 0.05;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.jump_mean must be a number, got a string"},
  {"jump missing jump_sd", WITH_PRICE(JUMP("intensity = 1; jump_mean = 0.0;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.jump_sd is required for model jump"},
  {"jump jump_sd negative", WITH_PRICE(JUMP("intensity = 1; jump_mean = 0.0; jump_sd = -0.1;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.jump_sd must be >= 0, got -0.1"},
  {"jump volatility missing", WITH_PRICE("price = { model = \"jump\"; start = 1.0; "
   JUMP_OK " };\n"), {NULL}, LIQ_INPUT, NULL, 3,
   "price.volatility is required for model jump"},
  {"jump with garch key", WITH_PRICE(JUMP(JUMP_OK " omega = 1e-6;")), {NULL},
   LIQ_INPUT, NULL, 3, "price.omega is only used when model is garch (model jump "
   "takes: model, start, drift, volatility, intensity, jump_mean, jump_sd)"},
  {"gbm with jump key", WITH_PRICE("price = { model = \"gbm\"; start = 1.0; "
   "volatility = 0.5; intensity = 3; };\n"), {NULL}, LIQ_INPUT, NULL, 3,
   "price.intensity is only used when model is jump (model gbm takes"},
  {"jump missing steps", L_DT JUMP(JUMP_OK) L_BOOK L_LEV L_NOT L_MARGIN, {NULL},
   LIQ_INPUT, NULL, 1, "steps is required for price.model jump"},
  {"jump unknown key", WITH_PRICE(JUMP(JUMP_OK " lambda = 3;")), {NULL},
   LIQ_INPUT, NULL, 3, "unknown key 'lambda' in price (expected one of: model, "
   "start, drift, volatility, intensity, jump_mean, jump_sd, substeps)"},

  /* price.model garch */
#define GARCH(rest) "price = { model = \"garch\"; start = 100.0; " rest " };\n"
  {"garch omega 0", WITH_PRICE(GARCH("omega = 0; alpha = 0.1; beta = 0.8; nu = 5;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.omega must be in (0, 1], got 0"},
  {"garch omega missing", WITH_PRICE(GARCH("alpha = 0.1; beta = 0.8; nu = 5;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.omega is required for model garch"},
  {"garch alpha negative", WITH_PRICE(GARCH("omega = 1e-6; alpha = -0.1; beta = 0.8; nu = 5;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.alpha must be >= 0, got -0.1"},
  {"garch beta missing", WITH_PRICE(GARCH("omega = 1e-6; alpha = 0.1; nu = 5;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.beta is required for model garch"},
  {"garch alpha + beta = 1 (at alpha)", L_STEPS L_DT
   "price = { model = \"garch\"; start = 100.0; omega = 1e-6;\n"
   "  alpha = 0.25;\n"
   "  beta = 0.75; nu = 5; };\n" L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT,
   NULL, 4, "price.alpha + price.beta must be < 1 (a stationary variance), got "
   "0.25 + 0.75 = 1"},
  {"garch alpha + beta by --set beta", WITH_PRICE(GARCH("omega = 1e-6; alpha = 0.1; "
   "beta = 0.8; nu = 5;")), {"price.beta=0.95", NULL}, LIQ_INPUT, "--set", 1,
   "price.alpha + price.beta must be < 1"},
  {"garch nu 2", WITH_PRICE(GARCH("omega = 1e-6; alpha = 0.1; beta = 0.8; nu = 2;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.nu must be > 2, got 2"},
  {"garch nu missing", WITH_PRICE(GARCH("omega = 1e-6; alpha = 0.1; beta = 0.8;")),
   {NULL}, LIQ_INPUT, NULL, 3, "price.nu is required for model garch"},
  {"garch variance0 0", WITH_PRICE(GARCH("omega = 1e-6; alpha = 0.1; beta = 0.8; "
   "nu = 5; variance0 = 0;")), {NULL}, LIQ_INPUT, NULL, 3,
   "price.variance0 must be > 0, got 0"},
  {"garch mu infinite", WITH_PRICE(GARCH("mu = 1e999; omega = 1e-6; alpha = 0.1; "
   "beta = 0.8; nu = 5;")), {NULL}, LIQ_INPUT, NULL, 3,
   "price.mu must be finite, got inf"},
  {"garch with drift", WITH_PRICE(GARCH("drift = 0.1; omega = 1e-6; alpha = 0.1; "
   "beta = 0.8; nu = 5;")), {NULL}, LIQ_INPUT, NULL, 3,
   "price.drift is only used when model is gbm or jump (model garch takes"},
  {"garch start missing", WITH_PRICE("price = { model = \"garch\"; omega = 1e-6; "
   "alpha = 0.1; beta = 0.8; nu = 5; };\n"), {NULL}, LIQ_INPUT, NULL, 3,
   "price.start is required for model garch"},
  {"garch missing step_seconds", L_STEPS GARCH("omega = 1e-6; alpha = 0.1; "
   "beta = 0.8; nu = 5;") L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 1,
   "step_seconds is required for price.model garch"},

  /* price.model bootstrap */
#define BOOT(rest) "price = { model = \"bootstrap\"; file = \"" CSV "\"; " rest " };\n"
  {"bootstrap missing file", L_STEPS "price = { model = \"bootstrap\"; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 2,
   "price.file is required for model bootstrap"},
  {"bootstrap file not found", L_STEPS "price = { model = \"bootstrap\"; file = "
   "\"no-such-file.csv\"; };\n" L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT,
   NULL, 2, "no-such-file.csv\" cannot be opened"},
  {"bootstrap block 0.5", L_STEPS BOOT("block = 0.5;") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 2, "price.block must be >= 1, got 0.5"},
  {"bootstrap start 0", L_STEPS BOOT("start = 0;") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 2, "price.start must be in [1e-12, 1000000000000], got 0"},
  {"bootstrap with step_seconds", L_STEPS L_DT BOOT("") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 2,
   "step_seconds is not used with price.model bootstrap"},
  {"bootstrap missing steps", BOOT("") L_BOOK L_LEV L_NOT L_MARGIN, {NULL},
   LIQ_INPUT, NULL, 1, "steps is required for price.model bootstrap"},
  {"bootstrap steps 0", "steps = 0;\n" BOOT("") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1, "steps must be in [1, 100000000], got 0"},
  {"bootstrap with volatility", L_STEPS BOOT("volatility = 0.5;") L_BOOK L_LEV
   L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 2,
   "price.volatility is only used when model is gbm or jump (model bootstrap "
   "takes: model, start, file, from, to, block)"},
  {"bootstrap from after to", L_STEPS BOOT("from = \"2020-03-13\"; to = "
   "\"2020-03-12\";") L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 2,
   "price.from (2020-03-13 00:00:00 UTC) must not be after price.to"},
  {"replay with block", REPLAY("block = 5;") L_BOOK L_LEV L_NOT L_MARGIN, {NULL},
   LIQ_INPUT, NULL, 1, "price.block is only used when model is bootstrap (model "
   "replay takes: model, file, from, to)"},

  /* margin.tiers */
#define M_HEAD  "margin = { initial = 0.008;\n  tiers = (\n"                           /* 7, 8 */
#define TIER0   "    { floor = 0.0; max_leverage = 125.0; maintenance = 0.004; },\n"  /* 9 */
#define TIER1(t) "    { " t " } ); };\n"                                              /* 10 */
#define TIERS(t0, t1) L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT M_HEAD t0 TIER1(t1)
#define T1_OK   "floor = 50000.0; max_leverage = 100.0; maintenance = 0.005;"
  {"tiers: first floor not 0", TIERS("    { floor = 10.0; max_leverage = 125.0; "
   "maintenance = 0.004; },\n", T1_OK), {NULL}, LIQ_INPUT, NULL, 9,
   "margin.tiers[0].floor must be 0 (the first bracket starts at notional 0), got 10"},
  {"tiers: floors not increasing", TIERS(TIER0, "floor = 0; max_leverage = 100.0; "
   "maintenance = 0.005;"), {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].floor must be above margin.tiers[0].floor (0), got 0"},
  {"tiers: floor negative", TIERS(TIER0, "floor = -5; max_leverage = 100.0; "
   "maintenance = 0.005;"), {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].floor must be >= 0, got -5"},
  {"tiers: max_leverage increasing", TIERS(TIER0, "floor = 50000.0; max_leverage "
   "= 150.0; maintenance = 0.005;"), {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].max_leverage must not be above margin.tiers[0].max_leverage "
   "(125), got 150"},
  {"tiers: max_leverage below 1", TIERS("    { floor = 0.0; max_leverage = 0.5; "
   "maintenance = 0.004; },\n", T1_OK), {NULL}, LIQ_INPUT, NULL, 9,
   "margin.tiers[0].max_leverage must be >= 1, got 0.5"},
  {"tiers: maintenance decreasing", TIERS(TIER0, "floor = 50000.0; max_leverage "
   "= 100.0; maintenance = 0.003;"), {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].maintenance must not be below margin.tiers[0].maintenance "
   "(0.004), got 0.003"},
  {"tiers: maintenance at 1/max_leverage", TIERS(TIER0, "floor = 50000.0; "
   "max_leverage = 100.0; maintenance = 0.01;"), {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].maintenance must be in (0, 1/max_leverage = 0.01), got 0.01"},
  {"tiers: maintenance 0", TIERS("    { floor = 0.0; max_leverage = 125.0; "
   "maintenance = 0; },\n", T1_OK), {NULL}, LIQ_INPUT, NULL, 9,
   "margin.tiers[0].maintenance must be in (0, 1/max_leverage = 0.008), got 0"},
  {"tiers: amount negative", TIERS(TIER0, T1_OK " amount = -1;"), {NULL},
   LIQ_INPUT, NULL, 10, "margin.tiers[1].amount must be >= 0, got -1"},
  {"tiers: amount beyond maintenance * floor", TIERS(TIER0, T1_OK " amount = 300;"),
   {NULL}, LIQ_INPUT, NULL, 10,
   "margin.tiers[1].amount must be <= maintenance * floor (250)"},
  {"tiers: amount string", TIERS(TIER0, T1_OK " amount = \"50\";"), {NULL},
   LIQ_INPUT, NULL, 10, "margin.tiers[1].amount must be a number, got a string"},
  {"tiers: unknown key", TIERS(TIER0, T1_OK " rate = 0.1;"), {NULL}, LIQ_INPUT,
   NULL, 10, "unknown key 'rate' in margin.tiers[1] (expected one of: floor, "
   "max_leverage, maintenance, amount)"},
  {"tiers: floor missing", TIERS(TIER0, "max_leverage = 100.0; maintenance = 0.005;"),
   {NULL}, LIQ_INPUT, NULL, 10, "margin.tiers[1].floor is required"},
  {"tiers: maintenance missing", TIERS(TIER0, "floor = 50000.0; max_leverage = 100.0;"),
   {NULL}, LIQ_INPUT, NULL, 10, "margin.tiers[1].maintenance is required"},
  {"tiers: max_leverage missing", TIERS(TIER0, "floor = 50000.0; maintenance = 0.005;"),
   {NULL}, LIQ_INPUT, NULL, 10, "margin.tiers[1].max_leverage is required"},
  {"tiers: element not a group", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT M_HEAD
   "  1.0 ); };\n", {NULL}, LIQ_INPUT, NULL, 9,
   "margin.tiers[0] must be a group { ... }, got a floating-point number"},
  {"tiers: empty", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; tiers = (); };\n", {NULL}, LIQ_INPUT, NULL, 7,
   "margin.tiers must have 1 to 32 tiers, got 0"},
  {"tiers: an array", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; tiers = [0.004]; };\n", {NULL}, LIQ_INPUT, NULL, 7,
   "margin.tiers must be a list of groups"},
  {"tiers with maintenance", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.008; maintenance = 0.004;\n  tiers = (\n" TIER0
   TIER1(T1_OK), {NULL}, LIQ_INPUT, NULL, 7,
   "margin.maintenance and margin.tiers must not both be set (tiers replace "
   "the flat maintenance rate)"},
  {"tiers with --set maintenance", TIERS(TIER0, T1_OK),
   {"margin.maintenance=0.004", NULL}, LIQ_INPUT, "--set", 1,
   "tiers replace the flat maintenance rate"},
  {"tiers: initial not above first rate", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.003;\n  tiers = (\n" TIER0 TIER1(T1_OK), {NULL},
   LIQ_INPUT, NULL, 9, "margin.tiers[0].maintenance must be below "
   "margin.initial (0.003), got 0.004"},
  {"tiers: --set initial not above first rate", TIERS(TIER0, T1_OK),
   {"margin.initial=0.004", NULL}, LIQ_INPUT, "--set", 1,
   "margin.tiers[0].maintenance must be below margin.initial (0.004), got 0.004"},
  {"tiers: call level below first rate", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.008; call_level = 0.2;\n  tiers = (\n" TIER0
   TIER1(T1_OK), {NULL}, LIQ_INPUT, NULL, 7, "margin.call_level must be >= "
   "margin.tiers[0].maintenance / margin.initial (0.5), got 0.2"},
  {"neither maintenance nor tiers", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.008; };\n", {NULL}, LIQ_INPUT, NULL, 7,
   "margin.maintenance is required (rate in (0, margin.initial), e.g. 0.005; "
   "or margin.tiers)"},

  /* margin.partial and margin.topup (line 8) */
#define MARGIN_WITH(x) L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT \
  "margin = { initial = 0.01; maintenance = 0.005;\n  " x " };\n"
  {"partial mode missing", MARGIN_WITH("partial = { buffer = 0.2; };"), {NULL},
   LIQ_INPUT, NULL, 8, "margin.partial.mode is required (none, restore or chunk)"},
  {"partial mode unknown", MARGIN_WITH("partial = { mode = \"half\"; };"), {NULL},
   LIQ_INPUT, NULL, 8,
   "margin.partial.mode \"half\" is unknown (expected none, restore or chunk)"},
  {"partial buffer 11", MARGIN_WITH("partial = { mode = \"restore\"; buffer = 11; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.partial.buffer must be in (0, 10], got 11"},
  {"partial buffer negative", MARGIN_WITH("partial = { mode = \"restore\"; "
   "buffer = -0.1; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.buffer must be in (0, 10], got -0.1"},
  {"partial buffer zero", MARGIN_WITH("partial = { mode = \"restore\"; buffer = 0; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.partial.buffer must be in (0, 10], got 0"},
  {"partial buffer with chunk", MARGIN_WITH("partial = { mode = \"chunk\"; "
   "share = 0.5; buffer = 0.1; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.buffer is only used when mode is restore (mode chunk takes: "
   "mode, share, cooldown_steps)"},
  {"partial share with restore", MARGIN_WITH("partial = { mode = \"restore\"; "
   "share = 0.5; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.share is only used when mode is chunk (mode restore takes: "
   "mode, buffer)"},
  {"partial buffer with none", MARGIN_WITH("partial = { mode = \"none\"; buffer = 0.1; };"),
   {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.buffer is only used when mode is restore (mode none takes: mode)"},
  {"partial cooldown with restore", MARGIN_WITH("partial = { mode = \"restore\"; "
   "cooldown_steps = 1; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.cooldown_steps is only used when mode is chunk"},
  {"partial chunk share missing", MARGIN_WITH("partial = { mode = \"chunk\"; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.partial.share is required for mode chunk"},
  {"partial share 0", MARGIN_WITH("partial = { mode = \"chunk\"; share = 0; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.partial.share must be in (0, 1], got 0"},
  {"partial share 1.5", MARGIN_WITH("partial = { mode = \"chunk\"; share = 1.5; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.partial.share must be in (0, 1], got 1.5"},
  {"partial cooldown negative", MARGIN_WITH("partial = { mode = \"chunk\"; "
   "share = 0.5; cooldown_steps = -1; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.cooldown_steps must be >= 0, got -1"},
  {"partial cooldown not whole", MARGIN_WITH("partial = { mode = \"chunk\"; "
   "share = 0.5; cooldown_steps = 1.5; };"), {NULL}, LIQ_INPUT, NULL, 8,
   "margin.partial.cooldown_steps must be a whole number, got 1.5"},
  {"partial unknown key", MARGIN_WITH("partial = { mode = \"chunk\"; share = 0.5; "
   "size = 2; };"), {NULL}, LIQ_INPUT, NULL, 8, "unknown key 'size' in "
   "margin.partial (expected one of: mode, share, cooldown_steps)"},
  {"partial not a group", MARGIN_WITH("partial = \"restore\";"), {NULL},
   LIQ_INPUT, NULL, 8, "margin.partial must be a group { ... }, got a string"},
  {"partial share by --set with restore", GOOD, {"margin.partial.mode=restore",
   "margin.partial.share=0.5", NULL}, LIQ_INPUT, "--set", 2,
   "margin.partial.share is only used when mode is chunk"},
  {"topup share missing", MARGIN_WITH("topup = { delay_steps = 2; };"), {NULL},
   LIQ_INPUT, NULL, 8, "margin.topup.share is required"},
  {"topup share 1.5", MARGIN_WITH("topup = { share = 1.5; };"), {NULL},
   LIQ_INPUT, NULL, 8, "margin.topup.share must be in [0, 1], got 1.5"},
  {"topup delay negative", MARGIN_WITH("topup = { share = 0.5; delay_steps = -1; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "margin.topup.delay_steps must be >= 0, got -1"},
  {"topup delay not a number", MARGIN_WITH("topup = { share = 0.5; delay_steps = true; };"),
   {NULL}, LIQ_INPUT, NULL, 8,
   "margin.topup.delay_steps must be an integer, got a boolean"},
  {"topup unknown key", MARGIN_WITH("topup = { share = 0.5; delay = 2; };"),
   {NULL}, LIQ_INPUT, NULL, 8, "unknown key 'delay' in margin.topup (expected "
   "one of: share, delay_steps)"},

  /* funding (line 8) */
#define FUNDING_CSV LIQ_TEST_DATA "/scenario_funding.csv"
  {"funding rate 0.1", GOOD "funding = { rate = 0.1; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "funding.rate must be in (-0.1, 0.1), got 0.1"},
  {"funding rate -0.2", GOOD "funding = { rate = -0.2; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "funding.rate must be in (-0.1, 0.1), got -0.2"},
  {"funding rate string", GOOD "funding = { rate = \"1bp\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "funding.rate must be a number, got a string"},
  {"funding interval 0", GOOD "funding = { rate = 0.0001; interval_seconds = 0; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "funding.interval_seconds must be in [1, 3200000000], got 0"},
  {"funding interval 0.0001", GOOD "funding = { rate = 0.0001; interval_seconds = 0.0001; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "funding.interval_seconds must be in [1, 3200000000], got 0.0001"},
  {"funding rate and file", REPLAY("") L_BOOK L_LEV L_NOT L_MARGIN
   "funding = { rate = 0.0001;\n  file = \"" FUNDING_CSV "\"; };\n", {NULL},
   LIQ_INPUT, NULL, 7, "funding.rate and funding.file exclude each other"},
  {"funding file with gbm", GOOD "funding = { file = \"" FUNDING_CSV "\"; };\n",
   {NULL}, LIQ_INPUT, NULL, 8,
   "funding.file needs a replay price path (price.model is gbm; use funding.rate)"},
  {"funding file with bootstrap", L_STEPS BOOT("") L_BOOK L_LEV L_NOT L_MARGIN
   "funding = { file = \"" FUNDING_CSV "\"; };\n", {NULL}, LIQ_INPUT, NULL, 7,
   "funding.file needs a replay price path (price.model is bootstrap"},
  {"funding file not found", REPLAY("") L_BOOK L_LEV L_NOT L_MARGIN
   "funding = { file = \"no-funding.csv\"; };\n", {NULL}, LIQ_INPUT, NULL, 6,
   "no-funding.csv\" cannot be opened"},
  {"funding file with interval", REPLAY("") L_BOOK L_LEV L_NOT L_MARGIN
   "funding = { file = \"" FUNDING_CSV "\";\n  interval_seconds = 3600; };\n",
   {NULL}, LIQ_INPUT, NULL, 7, "funding.interval_seconds is only used with "
   "funding.rate"},
  {"funding empty", GOOD "funding = { };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "funding.rate is required"},
  {"funding unknown key", GOOD "funding = { rate = 0.0001; period = 8; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "unknown key 'period' in funding (expected one "
   "of: rate, interval_seconds, file)"},
  {"funding not a group", GOOD "funding = 0.0001;\n", {NULL}, LIQ_INPUT, NULL, 8,
   "funding must be a group { ... }, got a floating-point number"},
  {"funding rate by --set", GOOD, {"funding.rate=0.5", NULL}, LIQ_INPUT, "--set",
   1, "funding.rate must be in (-0.1, 0.1), got 0.5"},

  /* impact: half-life and depth (line 8) */
#define DEPTH_CSV_BAD LIQ_TEST_DATA "/scenario_depth_bad.csv"
#define DEPTH(x) GOOD "impact = { model = \"depth\";\n  depth = { " x " }; };\n"
  {"impact half-life negative", GOOD "impact = { model = \"sqrt\"; daily_volume "
   "= 1e9; coefficient = 0.7; half_life_seconds = -1; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "impact.half_life_seconds must be >= 0, got -1"},
  {"impact half-life with none", GOOD "impact = { model = \"none\"; "
   "half_life_seconds = 60; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "impact.half_life_seconds is only used when model is linear, sqrt or depth "
   "(model none takes: model, max_rounds)"},
  {"impact model unknown", GOOD "impact = { model = \"kyle\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8,
   "impact.model \"kyle\" is unknown (expected none, linear, sqrt or depth)"},
  {"depth missing curve", GOOD "impact = { model = \"depth\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "impact.depth is required for model depth"},
  {"depth and depth_file", GOOD "impact = { model = \"depth\"; depth = { pct = "
   "[1.0]; bid = [1.0]; ask = [1.0]; };\n  depth_file = \"x.csv\"; };\n", {NULL},
   LIQ_INPUT, NULL, 9, "impact.depth and impact.depth_file exclude each other"},
  {"depth permanent without daily_volume", GOOD "impact = { model = \"depth\"; "
   "permanent = 0.5;\n  depth = { pct = [1.0]; bid = [1.0]; ask = [1.0]; }; };\n", {NULL}, LIQ_INPUT, NULL, 8, "impact.daily_volume is "
   "required for impact.permanent (the permanent part is permanent * flow / "
   "daily_volume)"},
  {"impact half-life zero", GOOD "impact = { model = \"sqrt\"; daily_volume "
   "= 1e9; coefficient = 0.7; half_life_seconds = 0; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "impact.half_life_seconds must be > 0, or \"inf\" for no decay (0 "
   "used to mean permanent impact: write \"inf\")"},
  {"impact half-life word", GOOD "impact = { model = \"sqrt\"; daily_volume "
   "= 1e9; coefficient = 0.7; half_life_seconds = \"forever\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "impact.half_life_seconds must be a number of seconds > 0 "
   "or \"inf\" (no decay), got \"forever\""},
  {"impact half-life word by --set", GOOD "impact = { model = \"sqrt\"; daily_volume "
   "= 1e9; coefficient = 0.7; };\n", {"impact.half_life_seconds=never", NULL},
   LIQ_INPUT, "--set", 1, "impact.half_life_seconds must be a number of "
   "seconds > 0 or \"inf\""},
  {"impact permanent negative", GOOD "impact = { model = \"sqrt\"; daily_volume "
   "= 1e9; coefficient = 0.7; permanent = -0.1; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "impact.permanent must be >= 0, got -0.1"},
  {"impact permanent with none", GOOD "impact = { model = \"none\"; "
   "permanent = 0.5; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "impact.permanent is only used when model is linear, sqrt or depth"},
  {"stats counterfactual not a bool", GOOD "stats = { counterfactual = 1; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "stats.counterfactual must be true or false"},
  {"depth with coefficient", GOOD "impact = { model = \"depth\"; coefficient = 1; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "impact.coefficient is only used when model is "
   "linear or sqrt"},
  {"depth with daily_volatility", GOOD "impact = { model = \"depth\"; "
   "daily_volatility = 0.04; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "impact.daily_volatility is only used when model is sqrt"},
  {"sqrt with depth", GOOD "impact = { model = \"sqrt\"; daily_volume = 1e9; "
   "coefficient = 0.7; depth_file = \"x.csv\"; };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "impact.depth_file is only used when model is depth (model sqrt takes"},
  {"depth lengths differ", DEPTH("pct = [0.1, 0.5];\n  bid = [1e6]; ask = [1e6, 2e6];"),
   {NULL}, LIQ_INPUT, NULL, 10,
   "impact.depth.bid has 1 values but impact.depth.pct has 2 (one notional per pct)"},
  {"depth ask length differs", DEPTH("pct = [0.1, 0.5]; bid = [1e6, 2e6];\n  ask = [1e6, 2e6, 3e6];"),
   {NULL}, LIQ_INPUT, NULL, 10,
   "impact.depth.ask has 3 values but impact.depth.pct has 2"},
  {"depth pct not increasing", DEPTH("pct = [0.5, 0.1]; bid = [1e6, 2e6]; ask = [1e6, 2e6];"),
   {NULL}, LIQ_INPUT, NULL, 9, "impact.depth.pct must be strictly increasing, "
   "but impact.depth.pct[1] = 0.1 follows 0.5"},
  {"depth pct 100", DEPTH("pct = [0.5, 100.0]; bid = [1e6, 2e6]; ask = [1e6, 2e6];"),
   {NULL}, LIQ_INPUT, NULL, 9, "impact.depth.pct[1] must be in (0, 100), got 100"},
  {"depth pct 0", DEPTH("pct = [0.0, 1.0]; bid = [1e6, 2e6]; ask = [1e6, 2e6];"),
   {NULL}, LIQ_INPUT, NULL, 9, "impact.depth.pct[0] must be in (0, 100), got 0"},
  {"depth bid 0", DEPTH("pct = [0.5, 1.0]; bid = [0.0, 2e6]; ask = [1e6, 2e6];"),
   {NULL}, LIQ_INPUT, NULL, 9, "impact.depth.bid[0] must be > 0, got 0"},
  {"depth ask not increasing", DEPTH("pct = [0.5, 1.0]; bid = [1e6, 2e6];\n"
   "  ask = [2e6, 2e6];"), {NULL}, LIQ_INPUT, NULL, 10,
   "impact.depth.ask must be strictly increasing, but impact.depth.ask[1] = "
   "2000000 follows 2000000"},
  {"depth ask missing", DEPTH("pct = [0.5]; bid = [1e6];"), {NULL}, LIQ_INPUT,
   NULL, 9, "impact.depth.ask is required"},
  {"depth empty arrays", DEPTH("pct = []; bid = []; ask = [];"), {NULL},
   LIQ_INPUT, NULL, 9, "impact.depth.pct must have 1 to 64 values, got 0"},
  {"depth unknown key", DEPTH("pct = [0.5]; bid = [1e6]; ask = [1e6]; mid = [1];"),
   {NULL}, LIQ_INPUT, NULL, 9,
   "unknown key 'mid' in impact.depth (expected one of: pct, bid, ask)"},
  {"depth not a group", GOOD "impact = { model = \"depth\"; depth = [1.0]; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "impact.depth must be a group { ... }, got an array"},
  {"depth_file bad line", GOOD "impact = { model = \"depth\"; depth_file = \""
   DEPTH_CSV_BAD "\"; };\n", {NULL}, LIQ_INPUT, DEPTH_CSV_BAD, 4,
   "bid must be strictly increasing, but 4000000 follows 5000000"},
  {"depth_file not found", GOOD "impact = { model = \"depth\";\n  depth_file = "
   "\"no-depth.csv\"; };\n", {NULL}, LIQ_INPUT, NULL, 9,
   "no-depth.csv\" cannot be opened"},
  {"depth_file not a string", GOOD "impact = { model = \"depth\"; depth_file = 3; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "impact.depth_file must be a string, got an integer"},

  /* insurance.policy */
  {"policy unknown", GOOD "insurance = { policy = \"adl\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "insurance.policy \"adl\" is unknown (expected none, "
   "adl-ranked, adl-prorata or socialize)"},
  {"policy not a string", GOOD "insurance = { policy = 1; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "insurance.policy must be a string, got an integer"},
  {"insurance unknown key", GOOD "insurance = { fund = 1.0; adl = true; };\n",
   {NULL}, LIQ_INPUT, NULL, 8,
   "unknown key 'adl' in insurance (expected one of: fund, policy)"},

  /* book.entry (line 7) and book.file */
#define L_NOT_OPEN "  notional = { dist = \"lognormal\"; median = 1000.0; sigma = 1.0; };\n"
#define ENTRY(x) L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT_OPEN "  entry = { " x " }; };\n" L_MARGIN
  {"entry history without lookback", ENTRY("from = \"history\";"), {NULL},
   LIQ_INPUT, NULL, 7, "book.entry.lookback_steps is required for from history"},
  {"entry lookback 0", ENTRY("from = \"history\"; lookback_steps = 0;"), {NULL},
   LIQ_INPUT, NULL, 7, "book.entry.lookback_steps must be >= 1, got 0"},
  {"entry lookback not whole", ENTRY("from = \"history\"; lookback_steps = 2.5;"),
   {NULL}, LIQ_INPUT, NULL, 7,
   "book.entry.lookback_steps must be a whole number, got 2.5"},
  {"entry history with spread", ENTRY("from = \"history\"; lookback_steps = 60; "
   "spread = 0.01;"), {NULL}, LIQ_INPUT, NULL, 7,
   "book.entry.spread is only used when from is spread (from history takes: "
   "from, lookback_steps)"},
  {"entry spread with lookback", ENTRY("spread = 0.01; lookback_steps = 60;"),
   {NULL}, LIQ_INPUT, NULL, 7, "book.entry.lookback_steps is only used when "
   "from is history (from spread takes: from, spread)"},
  {"entry from unknown", ENTRY("from = \"past\";"), {NULL}, LIQ_INPUT, NULL, 7,
   "book.entry.from \"past\" is unknown (expected spread or history)"},
  {"entry unknown key", ENTRY("sd = 0.01;"), {NULL}, LIQ_INPUT, NULL, 7,
   "unknown key 'sd' in book.entry (expected one of: from, spread)"},
  {"entry spread 2", ENTRY("spread = 2;"), {NULL}, LIQ_INPUT, NULL, 7,
   "book.entry.spread must be in [0, 1], got 2"},
#define POS_CSV LIQ_TEST_DATA "/scenario_positions.csv"
  {"book file with positions", L_STEPS L_DT L_PRICE "book = { file = \"" POS_CSV
   "\";\n  positions = 10; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.positions comes from book.file"},
  {"book file with leverage", L_STEPS L_DT L_PRICE "book = {\n" L_LEV
   "  file = \"" POS_CSV "\"; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 5,
   "book.leverage comes from book.file"},
  {"book file with long_share", L_STEPS L_DT L_PRICE "book = { file = \"" POS_CSV
   "\"; long_share = 0.5; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "book.long_share comes from book.file"},
  {"book file with entry", L_STEPS L_DT L_PRICE "book = { file = \"" POS_CSV
   "\"; entry = { spread = 0.1; }; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "book.entry comes from book.file"},
  {"book file by --set", GOOD, {"book.file=" POS_CSV, NULL}, LIQ_INPUT, "--set",
   1, "book.positions comes from book.file"},
  {"book file not found", L_STEPS L_DT L_PRICE "book = { file = "
   "\"no-book.csv\"; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "no-book.csv\" cannot be opened"},
  {"book file a directory", L_STEPS L_DT L_PRICE "book = { file = \""
   LIQ_TEST_DATA "\"; };\n" L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4,
   "\" is not a regular file (a directory"},
  {"--set price.model blamed for the file's keys", GOOD, {"price.model=garch",
   NULL}, LIQ_INPUT, "--set", 1, "price.volatility is only used when model is "
   "gbm or jump (model garch takes"},
  {"book file empty", L_STEPS L_DT L_PRICE "book = { file = \"\"; };\n" L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 4, "book.file must not be empty"},
  {"book file not a string", L_STEPS L_DT L_PRICE "book = { file = 1; };\n"
   L_MARGIN, {NULL}, LIQ_INPUT, NULL, 4, "book.file must be a string, got an integer"},

  /* sweep (line 8 on) */
#define SWEEP(x) GOOD "sweep = { grid = (\n  { " x " } ); };\n"
  {"sweep values and range", SWEEP("key = \"margin.initial\"; values = [0.01]; "
   "range = [0.01, 0.02, 0.01];"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0] takes values or range, not both"},
  {"sweep neither values nor range", SWEEP("key = \"margin.initial\";"), {NULL},
   LIQ_INPUT, NULL, 9, "sweep.grid[0].values is required (values = [0.01, "
   "0.02]; or range = [from, to, step];)"},
  {"sweep range of two", SWEEP("key = \"margin.initial\"; range = [0.01, 0.02];"),
   {NULL}, LIQ_INPUT, NULL, 9, "sweep.grid[0].range must be [from, to, step]"},
  {"sweep range a string", SWEEP("key = \"margin.initial\"; range = \"0.01:0.02\";"),
   {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range must be [from, to, step], got a string"},
  {"sweep range step 0", SWEEP("key = \"margin.initial\"; range = [0.01, 0.02, 0.0];"),
   {NULL}, LIQ_INPUT, NULL, 9, "sweep.grid[0].range step must be > 0, got 0"},
  {"sweep range step negative", SWEEP("key = \"margin.initial\"; range = [0.05, "
   "0.01, -0.01];"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range step must be > 0, got -0.01"},
  {"sweep range from above to", SWEEP("key = \"margin.initial\"; range = [0.05, "
   "0.01, 0.01];"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range from (0.05) must not be above to (0.01)"},
  {"sweep range too long", SWEEP("key = \"margin.initial\"; range = [0.0, 1.0, 0.001];"),
   {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range gives 1001 values, at most 256 per axis"},
  {"sweep range huge", SWEEP("key = \"insurance.fund\"; range = [0.0, 1e300, 1.0];"),
   {NULL}, LIQ_INPUT, NULL, 9, "sweep.grid[0].range gives 1e+300 values"},
  {"sweep range element string", SWEEP("key = \"margin.initial\"; range = "
   "(0.01, \"x\", 0.01);"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range[1] must be a number, got a string"},
  {"sweep integer key, fractional value", SWEEP("key = \"book.positions\"; "
   "values = [1000.0, 1500.5];"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].values[1] must be a whole number (book.positions takes "
   "integers), got 1500.5"},
  {"sweep integer key, fractional step", SWEEP("key = \"impact.max_rounds\"; "
   "range = [1.0, 10.0, 0.5];"), {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].range[2] must be a whole number (impact.max_rounds takes "
   "integers), got 0.5"},
  {"sweep value string", SWEEP("key = \"margin.initial\"; values = (\"0.01\");"),
   {NULL}, LIQ_INPUT, NULL, 9, "sweep.grid[0].values[0] must be a number, got a string"},
  {"sweep values empty", SWEEP("key = \"margin.initial\"; values = [];"), {NULL},
   LIQ_INPUT, NULL, 9, "sweep.grid[0].values must have 1 to 256 values, got 0"},
  {"sweep value infinite", SWEEP("key = \"margin.initial\"; values = [1e999];"),
   {NULL}, LIQ_INPUT, NULL, 9, "sweep.grid[0].values[0] must be finite"},
  {"sweep mode unknown", GOOD "sweep = { mode = \"cross\"; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "sweep.mode \"cross\" is unknown (expected product or zip)"},
  {"sweep replicates not whole", GOOD "sweep = { replicates = 1.5; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "sweep.replicates must be a whole number, got 1.5"},
  {"sweep grid entry unknown key", SWEEP("key = \"margin.initial\"; values = "
   "[0.01]; step = 1;"), {NULL}, LIQ_INPUT, NULL, 9, "unknown key 'step' in "
   "sweep.grid[0] (expected one of: key, values, range)"},
  {"sweep categorical key takes names", SWEEP("key = \"price.model\"; values = [1.0];"),
   {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].values[0] must be a string, got a floating-point number"},
  {"sweep categorical key no range", SWEEP("key = \"impact.model\"; range = [1, 2, 1];"),
   {NULL}, LIQ_INPUT, NULL, 9,
   "impact.model is a model or policy name: give values = [\"...\", ...], not a range"},
  {"sweep duplicate key", GOOD "sweep = { grid = ( { key = \"price.nu\"; values "
   "= [3.0]; },\n  { key = \"price.nu\"; range = [3, 5, 1]; } ); };\n", {NULL},
   LIQ_INPUT, NULL, 9, "sweep.grid[1] repeats key \"price.nu\" of sweep.grid[0]"},
  {"sweep zip range length", GOOD "sweep = { mode = \"zip\"; grid = ( { key = "
   "\"margin.initial\"; range = [0.01, 0.03, 0.01]; },\n  { key = "
   "\"funding.rate\"; values = [0.0, 0.0001]; } ); };\n", {NULL}, LIQ_INPUT,
   NULL, 9, "sweep.grid[1] has 2 values but sweep.grid[0] has 3"},
  {"calibrate new key ok, bad target", GOOD "calibrate = { key = "
   "\"margin.partial.share\"; range = [0.1, 0.9]; target = \"a b\"; max = 1; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "calibrate.target \"a b\" is unknown"},
};

/* The cases that were errors before known-but-unused keys became warnings. */
static int is_unused_key_case(const char *frag) {
  return strstr(frag, " is only used when ") != NULL ||
         strstr(frag, " is not used by dist fixed") != NULL;
}

static void test_bad_inputs(void **state) {
  size_t i;
  int nFail = 0, nWarn = 0;
  (void)state;
  for (i = 0; i < N_ELEMS(aBad); i++) {
    const BadCase *c = &aBad[i];
    char zPath[512];
    liq_scenario *sc = (liq_scenario *)&sc;   /* must become NULL */
    liq_err err;
    size_t n = 0, nPath;
    int rc, ok;
    while (n < N_ELEMS(c->azSet) && c->azSet[n]) n++;
    rc = loadTemp(c->zText, c->azSet, n, zPath, sizeof zPath, &sc, &err);
    nPath = strlen(zPath);
    if (is_unused_key_case(c->zFrag)) {
      /* A known key the chosen model does not use: a warning at its
      ** FILE:LINE (or --set:N), not an error; the scenario may still fail
      ** for another reason (a key the new model requires). */
      char key[128], where[1024];
      snprintf(key, sizeof key, "%.*s", (int)strcspn(c->zFrag, " "), c->zFrag);
      snprintf(where, sizeof where, "%s:%d: %s is not used when",
               c->zFile ? c->zFile : zPath, c->line, key);
      ok = rc == LIQ_INPUT ? sc == NULL && strstr(err.msg, key) == NULL
                           : rc == LIQ_OK && sc != NULL &&
                             strstr(sc->warnings, where) != NULL;
      if (!ok) {
        print_error("case %zu (%s): rc %d, %s; warnings: %s\n  expected warning %s\n",
                    i, c->zWhat, rc, rc ? err.msg : "ok",
                    rc == LIQ_OK && sc ? sc->warnings : "-", where);
        nFail++;
      }
      nWarn++;
      if (sc != NULL && sc != (liq_scenario *)&sc) liq_scenario_free(sc);
      remove(zPath);
      continue;
    }
    ok = rc == c->code && err.code == c->code && sc == NULL &&
         err.line == c->line && strstr(err.msg, c->zFrag) != NULL;
    if (c->zFile) {
      ok = ok && strcmp(err.file, c->zFile) == 0;
    } else {
      size_t nFile = strlen(err.file);
      ok = ok && nFile >= nPath && strcmp(err.file + nFile - nPath, zPath) == 0;
    }
    if (!ok) {
      print_error("case %zu (%s): rc %d, %s:%d: %s\n  expected %d, %s:%d: ...%s...\n",
                  i, c->zWhat, rc, err.file, err.line, err.msg, c->code,
                  c->zFile ? c->zFile : zPath, c->line, c->zFrag);
      nFail++;
    }
    if (sc != NULL && sc != (liq_scenario *)&sc) liq_scenario_free(sc);
    remove(zPath);
  }
  assert_int_equal(nFail, 0);
  assert_true(nWarn >= 20);
}

/* Depth CSVs with one fault each: located at the CSV's FILE:LINE (or at
** impact.depth_file's line when the file has no points at all). */
static void test_depth_file_errors(void **state) {
  static const struct {
    const char *zCsv;
    int atCsv;                /* 1: the error names the CSV, 0: the scenario
                              ** (line 9 is impact.depth_file) */
    int line;
    const char *zFrag;
  } aCase[] = {
    {"pct,bid,ask\n0.1,1e6\n", 1, 2, "expected 3 fields pct,bid,ask, got 2"},
    {"0.1,1e6,2e6,3e6\n", 1, 1, "expected 3 fields pct,bid,ask, got more"},
    {"pct,bid,ask\n150,1e6,2e6\n", 1, 2, "pct must be in (0, 100), got 150"},
    {"# depth\n0.1,abc,2e6\n", 1, 2, "bid \"abc\" is not a number"},
    {"price,bid,ask\n", 1, 1, "pct \"price\" is not a number (the header, if "
     "any, must be pct,bid,ask)"},
    {"0.1,1e6,2e6\n\n0.1,2e6,3e6\n", 1, 3,
     "pct must be strictly increasing, but 0.1 follows 0.1"},
    {"0.1,1e6,-2e6\n", 1, 1, "ask must be > 0, got -2000000"},
    {"0.1,1e6,nan\n", 1, 1, "ask must be finite, got nan"},
    {"0.1,1e6,2e6\npct,bid,ask\n", 1, 2, "pct \"pct\" is not a number"},
    {"0.1,1e6,2e6\n0.2,3e6,2e6\n", 1, 2,
     "ask must be strictly increasing, but 2000000 follows 2000000"},
    {"0.1,,2e6\n", 1, 1, "bid \"\" is not a number"},
    {"pct,bid,ask\n", 0, 9, "has no depth points (expected rows pct,bid,ask)"},
    {"", 0, 9, "has no depth points"},
  };
  size_t i;
  int nFail = 0;
  (void)state;
  for (i = 0; i < N_ELEMS(aCase) + 2; i++) {
    char zCsv[512], zText[2048];
    const char *zFile, *zFrag;
    liq_scenario *sc = NULL;
    liq_err err;
    int rc, line;
    if (i < N_ELEMS(aCase)) {
      liq_test_write_temp(aCase[i].zCsv, ".csv", zCsv, sizeof zCsv);
      zFile = aCase[i].atCsv ? zCsv : "depth.cfg";
      line = aCase[i].line;
      zFrag = aCase[i].zFrag;
    } else if (i == N_ELEMS(aCase)) {            /* a field too long */
      /* Lines may be any length (the CSV layer, csv_int.h), but no field
      ** may pass LIQ_CSV_MAX_FIELD bytes; the depth reader once capped
      ** lines at 1,022 bytes instead. */
      static char zLong[LIQ_CSV_MAX_FIELD + 16];
      memset(zLong, '1', sizeof zLong - 2);
      zLong[sizeof zLong - 2] = '\n';
      liq_test_write_temp(zLong, ".csv", zCsv, sizeof zCsv);
      zFile = zCsv;
      line = 1;
      zFrag = "longer than 1 MiB";
    } else {                                     /* 65 points */
      static char zMany[4096];
      size_t n = 0;
      int k;
      n += (size_t)snprintf(zMany + n, sizeof zMany - n, "pct,bid,ask\n");
      for (k = 1; k <= LIQ_MAX_DEPTH + 1; k++) {
        n += (size_t)snprintf(zMany + n, sizeof zMany - n, "%g,%d,%d\n",
                              k * 0.01, k * 1000, k * 2000);
      }
      liq_test_write_temp(zMany, ".csv", zCsv, sizeof zCsv);
      zFile = zCsv;
      line = LIQ_MAX_DEPTH + 2;
      zFrag = "too many depth points (at most 64)";
    }
    snprintf(zText, sizeof zText, GOOD "impact = { model = \"depth\";\n"
             "  depth_file = \"%s\"; };\n", zCsv);
    liq_err_clear(&err);
    rc = liq_scenario_load_string(zText, "depth.cfg", NULL, 0, &sc, &err);
    if (!(rc == LIQ_INPUT && sc == NULL && err.line == line &&
          strcmp(err.file, zFile) == 0 && strstr(err.msg, zFrag))) {
      print_error("depth case %zu: rc %d, %s:%d: %s\n  expected %s:%d: ...%s...\n",
                  i, rc, err.file, err.line, err.msg, zFile, line, zFrag);
      nFail++;
    }
    liq_scenario_free(sc);
    remove(zCsv);
  }
  assert_int_equal(nFail, 0);
}

/* The array limits: 33 tiers, 65 inline depth points, 9 axes, 257 values. */
static void test_limits(void **state) {
  static char zText[32768];
  size_t n;
  int k;
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;

  n = (size_t)snprintf(zText, sizeof zText, L_STEPS L_DT L_PRICE L_BOOK L_LEV
                       L_NOT "margin = { initial = 0.5;\n  tiers = (");
  for (k = 0; k <= LIQ_MAX_TIERS; k++) {
    n += (size_t)snprintf(zText + n, sizeof zText - n, "%s{ floor = %d.0; "
                          "max_leverage = 1.5; maintenance = 0.01; }",
                          k ? ", " : "", k * 1000);
  }
  snprintf(zText + n, sizeof zText - n, " ); };\n");
  rc = liq_scenario_load_string(zText, "limits", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 8);
  assert_non_null(strstr(err.msg, "margin.tiers must have 1 to 32 tiers, got 33"));

  /* exactly 32 tiers is fine */
  n = (size_t)snprintf(zText, sizeof zText, L_STEPS L_DT L_PRICE L_BOOK L_LEV
                       L_NOT "margin = { initial = 0.5;\n  tiers = (");
  for (k = 0; k < LIQ_MAX_TIERS; k++) {
    n += (size_t)snprintf(zText + n, sizeof zText - n, "%s{ floor = %d.0; "
                          "max_leverage = 1.5; maintenance = 0.01; }",
                          k ? ", " : "", k * 1000);
  }
  snprintf(zText + n, sizeof zText - n, " ); };\n");
  rc = liq_scenario_load_string(zText, "limits", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(sc->margin.n_tiers, LIQ_MAX_TIERS);
  assert_rel(sc->margin.tiers[LIQ_MAX_TIERS - 1].amount, 0.0, 0);  /* flat rate */
  liq_scenario_free(sc);
  sc = NULL;

  n = (size_t)snprintf(zText, sizeof zText, GOOD "impact = { model = \"depth\";\n"
                       "  depth = { pct = [");
  for (k = 1; k <= LIQ_MAX_DEPTH + 1; k++) {
    n += (size_t)snprintf(zText + n, sizeof zText - n, "%s%g", k > 1 ? ", " : "",
                          k * 0.01);
  }
  snprintf(zText + n, sizeof zText - n, "]; bid = [1.0]; ask = [1.0]; }; };\n");
  rc = liq_scenario_load_string(zText, "limits", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 9);
  assert_non_null(strstr(err.msg, "impact.depth.pct must have 1 to 64 values, got 65"));

  n = (size_t)snprintf(zText, sizeof zText, GOOD "sweep = { grid = (");
  for (k = 0; k <= LIQ_MAX_AXES; k++) {
    static const char *const azKey[] = {
      "margin.initial", "margin.call_level", "price.start", "price.drift",
      "price.volatility", "book.long_share", "insurance.fund", "seed",
      "stats.every"};
    n += (size_t)snprintf(zText + n, sizeof zText - n, "%s\n  { key = \"%s\"; "
                          "values = [1.0]; }", k ? "," : "", azKey[k]);
  }
  snprintf(zText + n, sizeof zText - n, " ); };\n");
  rc = liq_scenario_load_string(zText, "limits", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 8 + LIQ_MAX_AXES + 1);   /* the 9th axis */
  assert_non_null(strstr(err.msg, "sweep.grid has 9 axes, at most 8"));

  n = (size_t)snprintf(zText, sizeof zText, GOOD "sweep = { grid = (\n"
                       "  { key = \"insurance.fund\"; values = [");
  for (k = 0; k <= LIQ_MAX_AXIS_VALUES; k++) {
    n += (size_t)snprintf(zText + n, sizeof zText - n, "%s%d.0", k ? ", " : "", k);
  }
  snprintf(zText + n, sizeof zText - n, "]; } ); };\n");
  rc = liq_scenario_load_string(zText, "limits", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 9);
  assert_non_null(strstr(err.msg, "sweep.grid[0].values must have 1 to 256 values, got 257"));

  /* a range of exactly 256 values is fine */
  rc = liq_scenario_load_string(GOOD "sweep = { grid = ( { key = "
                                "\"insurance.fund\"; range = [1, 256, 1]; } ); };\n",
                                "limits", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(sc->sweep.axes[0].n_values, LIQ_MAX_AXIS_VALUES);
  assert_rel(sc->sweep.axes[0].values[255], 256.0, 0);
  liq_scenario_free(sc);
}

static void test_missing_file(void **state) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_err_clear(&err);
  rc = liq_scenario_load("/nonexistent/dir/none.cfg", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_IO);
  assert_null(sc);
  assert_string_equal(err.file, "/nonexistent/dir/none.cfg");
  assert_int_equal(err.line, 0);
  assert_non_null(strstr(err.msg, "cannot open scenario: "));
}

/* load_string names the given name in errors. */
static void test_string_errors(void **state) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  rc = liq_scenario_load_string("a = 1;\nb = ;\n", "inline", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_null(sc);
  assert_string_equal(err.file, "inline");
  assert_int_equal(err.line, 2);
  rc = liq_scenario_load_string(GOOD "margin.x = 1;\n", "inline", NULL, 0, &sc,
                                &err);
  assert_int_equal(rc, LIQ_INPUT);
  rc = liq_scenario_load_string(L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
                                "margin = { initial = 0.01; maintenance = 0.02; };\n",
                                "inline", NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_string_equal(err.file, "inline");
  assert_int_equal(err.line, 7);
  liq_scenario_free(NULL);                     /* a no-op */
}

static void test_quantile_label(void **state) {
  static const struct {
    double q;
    const char *zLabel;
  } aCase[] = {
    {0.01, "q01"},   {0.05, "q05"},    {0.25, "q25"},    {0.5, "q50"},
    {0.995, "q99_5"}, {0.001, "q00_1"}, {0.999, "q99_9"}, {0.9999, "q99_99"},
    {0.12345, "q12_345"}, {0.0001, "q00_01"}, {0.000001, "q00_0001"},
    {0.1, "q10"}, {0.99, "q99"},
  };
  char zBuf[32];
  size_t i;
  (void)state;
  for (i = 0; i < N_ELEMS(aCase); i++) {
    liq_quantile_label(aCase[i].q, zBuf, sizeof zBuf);
    assert_string_equal(zBuf, aCase[i].zLabel);
  }
  liq_quantile_label(0.995, zBuf, 3);           /* truncates, stays a string */
  assert_string_equal(zBuf, "q9");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full_scenario),
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_weights_and_wide_integers),
    cmocka_unit_test(test_replay_file),
    cmocka_unit_test(test_replay_dates),
    cmocka_unit_test(test_overrides),
    cmocka_unit_test(test_override_json_escapes),
    cmocka_unit_test(test_new_defaults),
    cmocka_unit_test(test_impact_over_time_keys),
    cmocka_unit_test(test_price_jump),
    cmocka_unit_test(test_price_garch),
    cmocka_unit_test(test_price_bootstrap),
    cmocka_unit_test(test_exchange_rules_file),
    cmocka_unit_test(test_tier_amounts_given),
    cmocka_unit_test(test_exchange_rules_inline),
    cmocka_unit_test(test_depth_file_variants),
    cmocka_unit_test(test_sweep_axes),
    cmocka_unit_test(test_is_sweep_key),
    cmocka_unit_test(test_overrides_new_keys),
    cmocka_unit_test(test_bad_inputs),
    cmocka_unit_test(test_depth_file_errors),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_string_errors),
    cmocka_unit_test(test_quantile_label),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
