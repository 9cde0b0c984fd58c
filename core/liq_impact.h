/*
** liq_impact.h: permanent price impact of forced trades.
**
** A cascade round nets the notional of forced buys (short liquidations)
** against forced sells (long liquidations): net = buys - sells, in quote
** currency at the round's pre-impact price.  The relative move r is
**   linear: r = k * |net| / V
**   sqrt:   r = Y * sigma_d * sqrt(|net| / V)
** with V the daily volume and sigma_d the daily volatility.  The move is
** applied in log space, p' = p * exp(sign(net) * r), which is (1 +/- r) to
** first order and keeps prices positive however large the burst.
*/
#ifndef LIQ_IMPACT_H
#define LIQ_IMPACT_H

#include "liq_scenario.h"

/* Signed log move ln(p'/p) for a round with net forced buying 'net_buy'. */
double liq_impact_log_move(const liq_impact_params *ip, double daily_vol,
                           double net_buy);

#endif /* LIQ_IMPACT_H */
