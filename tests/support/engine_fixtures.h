/*
** engine_fixtures.h: what the engine tests share: a sink that captures
** rows, paths and books built by hand, exchange-rule presets.
*/
#ifndef LIQ_ENGINE_FIXTURES_H
#define LIQ_ENGINE_FIXTURES_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "liq_book.h"
#include "liq_engine.h"

typedef struct capture {
  liq_step_row *steps;
  size_t n_steps, cap_steps;
  liq_liquidation_row *liqs;
  size_t n_liqs, cap_liqs;
  liq_adl_row *adls;
  size_t n_adls, cap_adls;
} capture;

int  cap_step(void *ud, const liq_step_row *row, liq_err *err);
int  cap_liq(void *ud, const liq_liquidation_row *row, liq_err *err);
int  cap_adl(void *ud, const liq_adl_row *row, liq_err *err);
void cap_free(capture *c);

/* A zeroed path of n bars (60 s, daily volatility 0.04) for the test to fill. */
liq_path *path_new(size_t n, int has_ohlc);
void      path_del(liq_path *p);
/* Close-only bar t from 'open' to 'close' (high and low are the two). */
void      path_set_bar(liq_path *p, size_t t, double open, double close);
/* Close-only path through 'closes'; open[t] = close[t-1], open[0] = start. */
liq_path *path_closes(size_t n, double start, const double *closes);
/* A random walk with large moves and, when has_ohlc, random wicks. */
liq_path *path_random(gsl_rng *r, size_t n, double start, double vol, int has_ohlc);
/* A book of explicit positions. */
liq_book *book_of(size_t n, const int *side, const double *qty,
                  const double *entry, const double *collateral);

/* Binance-like BTCUSDT brackets, floors scaled; initial 0.008. */
void set_tiers(liq_scenario *sc, double scale);
/* A three-point depth curve. */
void set_depth(liq_scenario *sc);
/* qsort order of liquidation rows: step, round, id. */
int  by_step_round_id(const void *pa, const void *pb);

#endif
