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
  "calibrate = { key = \"margin.initial\"; target = \"bad_debt_probability\"; max = 0.01; };\n";

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
static const char zMinimal[] =
  "steps = 10;\n"
  "step_seconds = 1.5;\n"
  "price = { model = \"gbm\"; start = 100; volatility = 0; };\n"
  "book = { positions = 1e5;\n"
  "  leverage = { values = [2, 4, 8, 16]; };\n"
  "  notional = { dist = \"fixed\"; median = 250; }; };\n"
  "margin = { initial = 0.1; maintenance = 0.05; };\n";

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
    "steps = 3000000000;\n"
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
  assert_true(sc->steps == (size_t)3000000000ULL);
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
   "volatility)"},
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
  {"tiers not implemented", L_STEPS L_DT L_PRICE L_BOOK L_LEV L_NOT
   "margin = { initial = 0.01; maintenance = 0.005; tiers = (); };\n",
   {NULL}, LIQ_INPUT, NULL, 7, "margin.tiers is not implemented yet"},
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
   "price.volatility must be in [0, 10], got -0.5"},
  {"start 0", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 0; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.start must be > 0, got 0"},
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
   "price.model \"brownian\" is unknown (expected gbm or replay)"},
  {"unimplemented price model", L_STEPS L_DT
   "price = { model = \"garch\"; start = 100.0; volatility = 0.5; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.model \"garch\" is not implemented yet (expected gbm or replay)"},
  {"price model missing", L_STEPS L_DT "price = { start = 100.0; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.model is required (gbm or replay)"},
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
   "price.volatility is only used by model gbm"},
  {"replay with step_seconds", L_DT REPLAY("") L_BOOK L_LEV L_NOT L_MARGIN,
   {NULL}, LIQ_INPUT, NULL, 1,
   "step_seconds is not used with price.model replay"},
  {"gbm with file", L_STEPS L_DT
   "price = { model = \"gbm\"; start = 1.0; volatility = 0.5; file = \"x\"; };\n"
   L_BOOK L_LEV L_NOT L_MARGIN, {NULL}, LIQ_INPUT, NULL, 3,
   "price.file is only used by model replay"},
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
   {NULL}, LIQ_INPUT, NULL, 1, "steps must be >= 1, got 0"},
  {"impact sqrt missing daily_volume",
   GOOD "impact = { model = \"sqrt\"; coefficient = 0.7; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "impact.daily_volume is required for model sqrt"},
  {"impact none with coefficient",
   GOOD "impact = { model = \"none\";\n  coefficient = 0.7; };\n", {NULL},
   LIQ_INPUT, NULL, 9, "impact.coefficient is not used by model none"},
  {"impact half-life", GOOD "impact = { model = \"sqrt\"; daily_volume = 1e9; "
   "coefficient = 0.7; half_life_seconds = 600.0; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "impact.half_life_seconds is not implemented yet"},
  {"impact max_rounds 0", GOOD "impact = { model = \"none\"; max_rounds = 0; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "impact.max_rounds must be in [1, 100000], got 0"},
  {"insurance policy", GOOD "insurance = { fund = 1.0; policy = \"adl-ranked\"; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "insurance.policy is not implemented yet"},
  {"insurance fund huge", GOOD "insurance = { fund = -1e999; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "insurance.fund must be finite"},
  {"funding not implemented", GOOD "funding = { rate = 0.0001; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "funding is not implemented yet"},
  {"quantiles unsorted", GOOD "stats = { quantiles = [0.05, 0.5,\n 0.25]; };\n",
   {NULL}, LIQ_INPUT, NULL, 9, "stats.quantiles must be strictly increasing"},
  {"quantile 1.0", GOOD "stats = { quantiles = [0.5, 1.0]; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "stats.quantiles[1] must be in (0, 1), got 1"},
  {"quantile labels collide", GOOD "stats = { quantiles = [0.5, 0.5000000001]; };\n",
   {NULL}, LIQ_INPUT, NULL, 8, "same column name (cushion_q50)"},
  {"name with spaces", "name = \"my run\";\n" GOOD, {NULL}, LIQ_INPUT, NULL, 1,
   "name must match [A-Za-z0-9_.-]+, got \"my run\""},
  {"sweep bad key", GOOD "sweep = { replicates = 2;\n  grid = ( { key = "
   "\"margin.initail\"; values = [0.01]; } ); };\n", {NULL}, LIQ_INPUT, NULL, 9,
   "sweep.grid[0].key \"margin.initail\" is not a numeric scenario key"},
  {"sweep unknown key", GOOD "sweep = { replicate = 2; };\n", {NULL}, LIQ_INPUT,
   NULL, 8, "unknown key 'replicate' in sweep"},
  {"sweep replicates 0", GOOD "sweep = { replicates = 0; };\n", {NULL},
   LIQ_INPUT, NULL, 8, "sweep.replicates must be >= 1, got 0"},
  {"sweep zip lengths", GOOD "sweep = { mode = \"zip\"; grid = ( { key = "
   "\"margin.initial\"; values = [0.01, 0.02]; }, { key = \"book.positions\"; "
   "values = [10]; } ); };\n", {NULL}, LIQ_INPUT, NULL, 8,
   "sweep.grid[1] has 1 values but sweep.grid[0] has 2"},
  {"calibrate missing target", GOOD "calibrate = { key = \"margin.initial\"; "
   "max = 0.01; };\n", {NULL}, LIQ_INPUT, NULL, 8,
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
};

static void test_bad_inputs(void **state) {
  size_t i;
  int nFail = 0;
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
    cmocka_unit_test(test_bad_inputs),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_string_errors),
    cmocka_unit_test(test_quantile_label),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
