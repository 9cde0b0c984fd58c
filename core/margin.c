/*
** margin.c: isolated-margin arithmetic for one position (see liq_margin.h).
**
** Every threshold is a closed form of (side, qty, entry, collateral, rate):
** solving collateral + side*qty*(p - entry) = rate*qty*p for p gives
**   p = (entry - side*collateral/qty) / (1 - side*rate).
*/
#include "liq_margin.h"

#include <math.h>

double liq_margin_equity(int side, double qty, double entry, double collateral,
                         double price) {
  return collateral + (double)side * qty * (price - entry);
}

double liq_margin_threshold_price(int side, double qty, double entry,
                                  double collateral, double rate) {
  double s = (double)side;
  double denom = 1.0 - s * rate;
  if (denom <= 0.0) return INFINITY;  /* long, rate >= 1: always below */
  return (entry - s * collateral / qty) / denom;
}

double liq_margin_liq_price(int side, double qty, double entry,
                            double collateral, double mmr) {
  return liq_margin_threshold_price(side, qty, entry, collateral, mmr);
}

double liq_margin_bankruptcy_price(int side, double qty, double entry,
                                   double collateral) {
  return entry - (double)side * collateral / qty;
}

double liq_margin_normalised_cushion(int side, double qty, double entry,
                                     double collateral, double imr, double mmr,
                                     double price) {
  double notional = qty * price;
  double equity = liq_margin_equity(side, qty, entry, collateral, price);
  return (equity - mmr * notional) / ((imr - mmr) * notional);
}

size_t liq_margin_bracket(const liq_margin_params *mp, double notional) {
  size_t lo = 0, hi = mp->n_tiers;
  if (mp->n_tiers == 0) return 0;
  /* Last tier whose floor <= notional. */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (mp->tiers[mid].floor <= notional) lo = mid; else hi = mid;
  }
  return lo;
}

double liq_margin_mm(const liq_margin_params *mp, double notional) {
  const liq_tier *t;
  if (mp->n_tiers == 0) return mp->maintenance * notional;
  t = &mp->tiers[liq_margin_bracket(mp, notional)];
  return t->maintenance * notional - t->amount;
}

double liq_margin_im_rate(const liq_margin_params *mp, double notional) {
  double cap;
  if (mp->n_tiers == 0) return mp->initial;
  cap = 1.0 / mp->tiers[liq_margin_bracket(mp, notional)].max_leverage;
  return cap > mp->initial ? cap : mp->initial;
}

double liq_margin_max_leverage(const liq_margin_params *mp, double notional) {
  return 1.0 / liq_margin_im_rate(mp, notional);
}

/*
** Equity - MM is monotone in price (MM grows slower than notional), so the
** root lies in one bracket: walk the brackets in the direction in which
** equity falls and stop at the first whose far end is past the root.  A
** discontinuous table (amounts given that break continuity) can jump over
** zero at a floor: the floor is then the threshold.
*/
double liq_margin_rule_liq_price(const liq_margin_params *mp, int side,
                                 double qty, double entry, double collateral) {
  size_t k;
  if (mp->n_tiers == 0)
    return liq_margin_liq_price(side, qty, entry, collateral, mp->maintenance);
  for (k = 0; k < mp->n_tiers; k++) {
    const liq_tier *t = &mp->tiers[k];
    double lo = t->floor / qty;
    double hi = k + 1 < mp->n_tiers ? mp->tiers[k + 1].floor / qty : HUGE_VAL;
    double p;
    if (side > 0) {
      /* c + q(p - e) = r q p - A  =>  p = (q e - c - A) / (q (1 - r)) */
      p = (qty * entry - collateral - t->amount) / (qty * (1.0 - t->maintenance));
    } else {
      /* c - q(p - e) = r q p - A  =>  p = (c + q e + A) / (q (1 + r)) */
      p = (collateral + qty * entry + t->amount) / (qty * (1.0 + t->maintenance));
    }
    if (p < hi || isinf(hi)) return p > lo || k == 0 ? p : lo;
    /* Root beyond this bracket only if the equity is still clear at hi. */
    if (side > 0) {
      if (liq_margin_equity(side, qty, entry, collateral, hi) - liq_margin_mm(mp, qty * hi) > 0.0)
        return hi;   /* jumped over zero at the floor */
    } else {
      if (liq_margin_equity(side, qty, entry, collateral, hi) - liq_margin_mm(mp, qty * hi) < 0.0)
        return hi;
    }
  }
  return nan("");  /* not reached: the last bracket is unbounded */
}

void liq_margin_complete_tiers(liq_margin_params *mp, const int *given) {
  size_t k;
  for (k = 0; k < mp->n_tiers; k++) {
    liq_tier *t = &mp->tiers[k];
    if (given && given[k]) continue;
    t->amount = k == 0 ? 0.0 :
        mp->tiers[k - 1].amount + t->floor * (t->maintenance - mp->tiers[k - 1].maintenance);
  }
  if (mp->n_tiers > 0) mp->maintenance = mp->tiers[0].maintenance;
}

/* Equity left after closing share s at price p, less (1 + buffer) * MM. */
static double restore_gap(const liq_margin_params *mp, double equity,
                          double notional, double s, double buffer,
                          double fee_rate) {
  return equity - fee_rate * s * notional -
         (1.0 + buffer) * liq_margin_mm(mp, (1.0 - s) * notional);
}

double liq_margin_restore_share(const liq_margin_params *mp, int side,
                                double qty, double entry, double collateral,
                                double price, double buffer, double fee_rate) {
  double equity = liq_margin_equity(side, qty, entry, collateral, price);
  double notional = qty * price, lo = 0.0, hi = 1.0;
  int i;
  if (equity <= 0.0 || restore_gap(mp, equity, notional, 1.0, buffer, fee_rate) <= 0.0)
    return 1.0;
  if (restore_gap(mp, equity, notional, 0.0, buffer, fee_rate) >= 0.0) return 0.0;
  if (mp->n_tiers == 0) {
    /* E - f s N >= (1+b) m (1-s) N  <=>  s >= ((1+b) m N - E) / (((1+b) m - f) N) */
    double slope = (1.0 + buffer) * mp->maintenance - fee_rate;
    double s;
    if (slope <= 0.0) return 1.0;   /* closing more costs more fee than it frees */
    s = ((1.0 + buffer) * mp->maintenance * notional - equity) / (slope * notional);
    return s < 1.0 ? s : 1.0;
  }
  for (i = 0; i < 60; i++) {  /* smallest share with a non-negative gap */
    double mid = 0.5 * (lo + hi);
    if (restore_gap(mp, equity, notional, mid, buffer, fee_rate) >= 0.0) hi = mid;
    else lo = mid;
  }
  return hi;
}
