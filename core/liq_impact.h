/*
** liq_impact.h: price impact of forced trades, over time.
**
** Forced trades are one signed flow (short liquidations buy, long
** liquidations sell), each round's quantity valued in quote currency at
** the round's pre-trade price.  The market's log impact on the exogenous
** price is the sum of two parts:
**
**   transient  f(Q_eff), Q_eff the decayed cumulative signed flow:
**              Q_eff(t + dt) = Q_eff(t) * 2^(-dt / half_life) between
**              steps, plus each round's net buying; half_life = inf keeps
**              all of it (no decay);
**   permanent  kappa * Q / V, Q the undecayed cumulative signed flow,
**              kappa = impact.permanent, V = impact.daily_volume.
**
** f is the transient curve of the model:
**   linear: f(Q) = k * Q / V
**   sqrt:   f(Q) = sign(Q) * Y * sigma_d * sqrt(|Q| / V)
**   depth:  f(Q) = ln(1 + pct(Q)/100) for buys, ln(1 - pct(|Q|)/100) for
**           sells, pct interpolated from the cumulative ask (bid) notional
**           at each percentage (sells capped at a 99.9 % drop);
** with V the daily volume and sigma_d the daily volatility.  Because the
** concave law is applied to the flow and not to each piece of it, trades
** close in time are one metaorder: two cascades of Q a step apart under a
** long half-life move the price as one of 2Q, and a cascade of many small
** rounds costs what one trade of the same total size costs.  The
** permanent part is linear, the only shape that admits no price
** manipulation (Huberman and Stanzl 2004; Gatheral 2010), and is path
** independent: the same total flow in any order leaves the same level.
**
** Fills walk the curve: a round that takes the flow from Q0 to Q1 fills at
** the mean market price along the way,
**   F = p_pre * (1/(Q1 - Q0)) * integral over [Q0, Q1] of exp(I(Q) - I(Q0)) dQ
** with I(Q) = f(Q) + kappa * Q / V the log impact as a function of the
** round's flow.  Closed forms: linear (expm1(z)/z), sqrt without a
** permanent part, depth (exp(f) is piecewise linear in Q: exact on each
** piece, with or without the permanent factor); sqrt with a permanent part
** is integrated in s = sqrt|Q| by composite 10-point Gauss-Legendre on
** panels over which the exponent moves at most 0.5 (exact to rounding: the
** integrand is entire in s).  Splitting a round into several changes
** neither the final price nor the mean fill (the integrals add up).  Moves
** are in log space: prices stay positive however large the burst.
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
  double daily_volume;     /* quote notional traded per day, > 0 (linear, sqrt;
                           ** depth: only for a permanent part) */
  double coefficient;      /* linear: k; sqrt: Y; >= 0 */
  double daily_volatility; /* sqrt model; NaN when unset (taken from the price path) */
  int    max_rounds;       /* cascade rounds per visited price, [1, 100000], default 100 */
  double half_life_seconds;/* the forced flow Q_eff behind the transient impact
                           ** decays with this half-life, > 0; INFINITY ("inf",
                           ** the default): no decay */
  double permanent;        /* kappa: permanent log impact per unit of signed
                           ** flow / daily_volume, >= 0, default 0 */
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

/* Transient log impact f(Q) of a flow with net buying 'net_buy'. */
double liq_impact_level(const liq_impact_params *ip, double daily_vol,
                        double net_buy);

/* Log move of the transient curve from 'before' to 'before + net'. */
double liq_impact_log_move(const liq_impact_params *ip, double daily_vol,
                           double before, double net);

/* The permanent log impact per unit of signed quote flow, kappa / V (0
** without a model or a permanent part). */
double liq_impact_permanent_slope(const liq_impact_params *ip);

/* Mean of exp(I(Q) - I(q0)) over Q in [q0, q0 + net] (1 when net is 0):
** the round's fill as a multiple of its pre-trade price. */
double liq_impact_fill_ratio(const liq_impact_params *ip, double daily_vol,
                             double q0, double net);

/* Decay factor of the flow over 'seconds': 2^(-seconds / half_life); 1
** when the half-life is infinite (or 0, the value of a zeroed struct). */
double liq_impact_decay(const liq_impact_params *ip, double seconds);

/* The impact state of a market. */
typedef struct liq_impact_state {
  double flow_eff;     /* Q_eff: decayed cumulative signed forced flow */
  double permanent;    /* permanent log impact, kappa * Q / V */
} liq_impact_state;

/* Its log impact: f(Q_eff) + permanent. */
double liq_impact_state_log(const liq_impact_state *st,
                            const liq_impact_params *ip, double daily_vol);

/* Let 'seconds' pass: Q_eff decays, the permanent part stays. */
void liq_impact_state_decay(liq_impact_state *st, const liq_impact_params *ip,
                            double seconds);

/* A round of net forced buying 'net' (quote, at the pre-trade price):
** moves the state and returns the fill as a multiple of the pre-trade
** price (liq_impact_fill_ratio at Q_eff). */
double liq_impact_state_trade(liq_impact_state *st, const liq_impact_params *ip,
                              double daily_vol, double net);

#endif /* LIQ_IMPACT_H */
