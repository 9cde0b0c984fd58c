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
