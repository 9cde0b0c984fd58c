/*
** engine_fixtures.c: what the engine tests share (see engine_fixtures.h).
*/
#include "engine_fixtures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "liq_margin.h"
#include "test_util.h"

int cap_step(void *ud, const liq_step_row *row, liq_err *err) {
  capture *c = ud;
  (void)err;
  if (c->n_steps == c->cap_steps) {
    c->cap_steps = c->cap_steps ? 2 * c->cap_steps : 64;
    c->steps = realloc(c->steps, c->cap_steps * sizeof *c->steps);
    assert_non_null(c->steps);
  }
  c->steps[c->n_steps++] = *row;
  return LIQ_OK;
}

int cap_liq(void *ud, const liq_liquidation_row *row, liq_err *err) {
  capture *c = ud;
  (void)err;
  if (c->n_liqs == c->cap_liqs) {
    c->cap_liqs = c->cap_liqs ? 2 * c->cap_liqs : 64;
    c->liqs = realloc(c->liqs, c->cap_liqs * sizeof *c->liqs);
    assert_non_null(c->liqs);
  }
  c->liqs[c->n_liqs++] = *row;
  return LIQ_OK;
}

int cap_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  capture *c = ud;
  (void)err;
  if (c->n_adls == c->cap_adls) {
    c->cap_adls = c->cap_adls ? 2 * c->cap_adls : 64;
    c->adls = realloc(c->adls, c->cap_adls * sizeof *c->adls);
    assert_non_null(c->adls);
  }
  c->adls[c->n_adls++] = *row;
  return LIQ_OK;
}

void cap_free(capture *c) {
  free(c->steps);
  free(c->liqs);
  free(c->adls);
  memset(c, 0, sizeof *c);
}

liq_path *path_new(size_t n, int has_ohlc) {
  liq_path *p = calloc(1, sizeof *p);
  size_t t;
  assert_non_null(p);
  p->n = n;
  p->t_ms = calloc(n, sizeof *p->t_ms);
  p->open = calloc(n, sizeof *p->open);
  p->high = calloc(n, sizeof *p->high);
  p->low = calloc(n, sizeof *p->low);
  p->close = calloc(n, sizeof *p->close);
  assert_true(p->t_ms && p->open && p->high && p->low && p->close);
  p->has_ohlc = has_ohlc;
  p->step_seconds = 60.0;
  p->daily_volatility = 0.04;
  for (t = 0; t < n; t++) p->t_ms[t] = (int64_t)t * 60000;
  return p;
}

void path_del(liq_path *p) {
  if (!p) return;
  free(p->t_ms);
  free(p->open);
  free(p->high);
  free(p->low);
  free(p->close);
  free(p->mark_open);
  free(p->mark_high);
  free(p->mark_low);
  free(p->mark_close);
  free(p);
}

/* Close-only path through 'closes'; open[t] = close[t-1]. */
void path_set_bar(liq_path *p, size_t t, double open, double close) {
  p->open[t] = open;
  p->close[t] = close;
  p->high[t] = fmax(open, close);
  p->low[t] = fmin(open, close);
}

liq_path *path_closes(size_t n, double start, const double *closes) {
  liq_path *p = path_new(n, 0);
  size_t t;
  for (t = 0; t < n; t++) path_set_bar(p, t, t ? closes[t - 1] : start, closes[t]);
  return p;
}

liq_path *path_random(gsl_rng *r, size_t n, double start, double vol,
                             int has_ohlc) {
  liq_path *p = path_new(n, has_ohlc);
  double prev = start;
  size_t t;
  for (t = 0; t < n; t++) {
    double c = prev * exp(vol * gsl_ran_gaussian(r, 1.0));
    p->open[t] = prev;
    p->close[t] = c;
    p->high[t] = fmax(prev, c);
    p->low[t] = fmin(prev, c);
    if (has_ohlc) {
      p->high[t] *= exp(fabs(vol * gsl_ran_gaussian(r, 1.0)));
      p->low[t] /= exp(fabs(vol * gsl_ran_gaussian(r, 1.0)));
    }
    prev = c;
  }
  return p;
}

liq_book *book_of(size_t n, const int *side, const double *qty,
                         const double *entry, const double *collateral) {
  liq_book *b = liq_book_alloc(n);
  size_t i;
  assert_non_null(b);
  for (i = 0; i < n; i++) {
    b->side[i] = (int8_t)side[i];
    b->qty[i] = qty[i];
    b->entry[i] = entry[i];
    b->collateral[i] = collateral[i];
    b->leverage[i] = qty[i] * entry[i] / collateral[i];
  }
  return b;
}

void set_tiers(liq_scenario *sc, double scale) {
  static const double floor_[4] = { 0.0, 5e3, 2.5e4, 1e5 };
  static const double lev[4] = { 125.0, 100.0, 50.0, 20.0 };
  static const double mm[4] = { 0.004, 0.005, 0.01, 0.025 };
  size_t k;
  sc->margin.n_tiers = 4;
  for (k = 0; k < 4; k++) {
    sc->margin.tiers[k].floor = floor_[k] * scale;
    sc->margin.tiers[k].max_leverage = lev[k];
    sc->margin.tiers[k].maintenance = mm[k];
  }
  liq_margin_complete_tiers(&sc->margin, NULL);
  sc->margin.initial = 0.008;
}

void set_depth(liq_scenario *sc) {
  static const double pct[3] = { 0.5, 2.0, 5.0 };
  static const double bid[3] = { 2e3, 2e4, 1e5 };
  static const double ask[3] = { 3e3, 3e4, 1.5e5 };
  sc->impact.model = LIQ_IMPACT_DEPTH;
  sc->impact.n_depth = 3;
  memcpy(sc->impact.depth_pct, pct, sizeof pct);
  memcpy(sc->impact.depth_bid, bid, sizeof bid);
  memcpy(sc->impact.depth_ask, ask, sizeof ask);
}

/* Rows of one round in id order (exact threshold ties come out of each
** engine in the order of its own rounding). */
int by_step_round_id(const void *pa, const void *pb) {
  const liq_liquidation_row *a = pa, *b = pb;
  if (a->step != b->step) return a->step < b->step ? -1 : 1;
  if (a->round != b->round) return a->round < b->round ? -1 : 1;
  return (a->position_id > b->position_id) - (a->position_id < b->position_id);
}
