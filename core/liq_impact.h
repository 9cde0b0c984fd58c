/*
** liq_impact.h: permanent price impact of forced trades.
**
** The forced trades of one cascade (all rounds at one visited price) act as
** one metaorder.  Let Q be its cumulative net forced buying so far (short
** liquidations buy, long liquidations sell), in quote currency at each
** round's pre-impact price.  Its log impact is
**   linear: I(Q) = k * Q / V
**   sqrt:   I(Q) = sign(Q) * Y * sigma_d * sqrt(|Q| / V)
** with V the daily volume and sigma_d the daily volatility, or, with an
** order-book depth curve (model depth), I(Q) = ln(1 + pct(Q)/100) for buys
** and ln(1 - pct(|Q|)/100) for sells, pct interpolated from the cumulative
** ask (bid) notional at each percentage (sells capped at a 99.9 % drop);
** a round that
** brings the metaorder from Q to Q' moves the price by p' = p * exp(I(Q') -
** I(Q)).  Charging each round the increment of the concave square-root
** law (not the law applied to each round alone) is what makes a cascade of
** many small rounds cost what one trade of the same total size costs, so
** cascades converge.  Moves are in log space: p' stays positive however
** large the burst, and exp(r) = 1 + r to first order.
*/
#ifndef LIQ_IMPACT_H
#define LIQ_IMPACT_H

#include "liq_scenario.h"

/* Log impact I(Q) of a metaorder with cumulative net buying 'net_buy'. */
double liq_impact_level(const liq_impact_params *ip, double daily_vol,
                        double net_buy);

/* Log move of a round taking the metaorder from 'before' to 'before + net'. */
double liq_impact_log_move(const liq_impact_params *ip, double daily_vol,
                           double before, double net);

/* Decay of the accumulated log impact over 'seconds' with a half-life
** (transient impact): the factor 2^(-seconds / half_life); 1 when the
** half-life is 0 (permanent impact). */
double liq_impact_decay(const liq_impact_params *ip, double seconds);

#endif /* LIQ_IMPACT_H */
