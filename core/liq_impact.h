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

#include <stddef.h>

#define LIQ_MAX_DEPTH 64

typedef enum {
  LIQ_IMPACT_NONE = 0, LIQ_IMPACT_LINEAR = 1, LIQ_IMPACT_SQRT = 2, LIQ_IMPACT_DEPTH = 3
} liq_impact_model;

typedef struct liq_impact_params {
  int    model;            /* liq_impact_model */
  double daily_volume;     /* quote notional traded per day, > 0 (linear, sqrt) */
  double coefficient;      /* linear: k; sqrt: Y; >= 0 */
  double daily_volatility; /* sqrt model; NaN when unset (taken from the price path) */
  int    max_rounds;       /* cascade rounds per visited price, [1, 100000], default 100 */
  double half_life_seconds;/* transient impact: the accumulated log impact decays
                           ** with this half-life, > 0; 0 (default): permanent */
  /* depth: cumulative notional resting within pct % of the price; a sell of
  ** Q eats bids and moves the price down by the interpolated pct at Q (buys:
  ** asks, up).  Given as impact.depth = { pct = [...]; bid = [...]; ask = [...]; }
  ** or impact.depth_file (CSV pct,bid,ask).  pct strictly increasing, > 0;
  ** notionals strictly increasing, > 0; beyond the last point the last
  ** segment's slope continues. */
  size_t n_depth;
  double depth_pct[LIQ_MAX_DEPTH];
  double depth_bid[LIQ_MAX_DEPTH];
  double depth_ask[LIQ_MAX_DEPTH];
} liq_impact_params;

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
