/*
** impact.c: permanent price impact of a cascade (see liq_impact.h).
*/
#include "liq_impact.h"

#include <math.h>

double liq_impact_level(const liq_impact_params *ip, double daily_vol,
                        double net_buy) {
  double size = fabs(net_buy) / ip->daily_volume, r;
  if (net_buy == 0.0) return 0.0;
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
