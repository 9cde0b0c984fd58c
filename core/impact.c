/*
** impact.c: permanent price impact of a cascade (see liq_impact.h).
*/
#include "liq_impact.h"

#include <math.h>

/*
** Depth: the percentage move at which the cumulative resting notional on
** the eaten side reaches 'size', linear between the table's points and
** from (0, 0) to the first; past the last point the last segment goes on.
*/
static double depth_pct(const liq_impact_params *ip, const double *notional,
                        double size) {
  size_t k, n = ip->n_depth;
  double x0 = 0.0, y0 = 0.0, x1, y1;
  for (k = 0; k < n; k++) {
    x1 = notional[k];
    y1 = ip->depth_pct[k];
    if (size <= x1 || k + 1 == n) return y0 + (y1 - y0) * (size - x0) / (x1 - x0);
    x0 = x1;
    y0 = y1;
  }
  return 0.0;  /* not reached: n >= 1 */
}

/* Sells never take the price to zero: the depth move is capped at 99.9 %. */
#define LIQ_DEPTH_MAX_DROP 99.9

static double depth_level(const liq_impact_params *ip, double net_buy) {
  double pct;
  if (net_buy > 0.0) return log1p(depth_pct(ip, ip->depth_ask, net_buy) / 100.0);
  pct = depth_pct(ip, ip->depth_bid, -net_buy);
  if (pct > LIQ_DEPTH_MAX_DROP) pct = LIQ_DEPTH_MAX_DROP;
  return log1p(-pct / 100.0);
}

double liq_impact_level(const liq_impact_params *ip, double daily_vol,
                        double net_buy) {
  double size, r;
  if (net_buy == 0.0) return 0.0;
  if (ip->model == LIQ_IMPACT_DEPTH) return depth_level(ip, net_buy);
  size = fabs(net_buy) / ip->daily_volume;
  switch (ip->model) {
    case LIQ_IMPACT_LINEAR: r = ip->coefficient * size; break;
    case LIQ_IMPACT_SQRT:   r = ip->coefficient * daily_vol * sqrt(size); break;
    default:                return 0.0;
  }
  return net_buy > 0.0 ? r : -r;
}

double liq_impact_log_move(const liq_impact_params *ip, double daily_vol,
                           double before, double net) {
  if (net == 0.0) return 0.0;
  return liq_impact_level(ip, daily_vol, before + net) -
         liq_impact_level(ip, daily_vol, before);
}

double liq_impact_decay(const liq_impact_params *ip, double seconds) {
  if (!(ip->half_life_seconds > 0.0)) return 1.0;
  return exp2(-seconds / ip->half_life_seconds);
}
