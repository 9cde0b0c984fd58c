/*
** impact.c: price impact of forced trades over time, and fills along the
** impact curve (see liq_impact.h).
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

/* exp(f) of the depth curve at |Q| = u on side sigma (+1 buys, -1 sells):
** 1 + pct/100, or 1 - min(pct, 99.9)/100. */
static double depth_gross(const liq_impact_params *ip, int sigma, double u) {
  double pct;
  if (sigma > 0) return 1.0 + depth_pct(ip, ip->depth_ask, u) / 100.0;
  pct = depth_pct(ip, ip->depth_bid, u);
  if (pct > LIQ_DEPTH_MAX_DROP) pct = LIQ_DEPTH_MAX_DROP;
  return 1.0 - pct / 100.0;
}

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

double liq_impact_permanent_slope(const liq_impact_params *ip) {
  if (ip->model == LIQ_IMPACT_NONE || !(ip->permanent > 0.0) ||
      !(ip->daily_volume > 0.0))
    return 0.0;
  return ip->permanent / ip->daily_volume;
}

/* ---- the fill integral ---------------------------------------------------- */

/* expm1(z) / z = integral over [0, 1] of e^(z t) dt. */
static double phi1(double z) {
  return z == 0.0 ? 1.0 : expm1(z) / z;
}

/* Integral over [0, 1] of t e^(z t) dt = (z e^z - expm1(z)) / z^2; by its
** series sum z^n / (n! (n + 2)) near 0, where the closed form cancels. */
static double phi2(double z) {
  if (fabs(z) < 0.5) {
    double term = 1.0, sum = 0.5;
    int n;
    for (n = 1; n <= 16; n++) {
      term *= z / n;
      sum += term / (n + 2);
    }
    return sum;
  }
  return (z * exp(z) - expm1(z)) / (z * z);
}

/* Integral over u in [ua, ub] of (g0 + beta (u - ua)) e^(k u - ref) du: a
** linear factor times an exponential, in closed form. */
static double lin_exp_integral(double g0, double beta, double k, double ua,
                               double ub, double ref) {
  double len = ub - ua, z = k * len;
  return exp(k * ua - ref) * (g0 * len * phi1(z) + beta * len * len * phi2(z));
}

/* 10-point Gauss-Legendre on [-1, 1]: nodes (positive half) and weights. */
static const double gl_x[5] = {
  0.1488743389816312108848260, 0.4333953941292471907992659,
  0.6794095682990244062343274, 0.8650633666889845107320967,
  0.9739065285171717200779640 };
static const double gl_w[5] = {
  0.2955242247147528701738930, 0.2692667193099963550912269,
  0.2190863625159820439955349, 0.1494513491505805931457763,
  0.0666713443086881375935688 };

/* Integral over s in [sa, sa + d] of 2 s exp(c s + k s^2 - ref) ds,
** composite Gauss-Legendre on panels over which the exponent moves at
** most 0.5. */
static double gl_sqrt_integral(double c, double k, double sa, double d,
                               double ref) {
  double var = fabs(c) * d + fabs(k) * d * (2.0 * sa + d);
  double panels = ceil(var / 0.5), width, sum = 0.0;
  long n, j;
  int i;
  if (!(panels >= 1.0)) panels = 1.0;
  if (panels > 100000.0) panels = 100000.0;
  n = (long)panels;
  width = d / (double)n;
  for (j = 0; j < n; j++) {
    double mid = sa + width * ((double)j + 0.5), half = 0.5 * width;
    for (i = 0; i < 5; i++) {
      double s1 = mid - half * gl_x[i], s2 = mid + half * gl_x[i];
      sum += gl_w[i] * (2.0 * s1 * exp(c * s1 + k * s1 * s1 - ref) +
                        2.0 * s2 * exp(c * s2 + k * s2 * s2 - ref));
    }
  }
  return sum * 0.5 * width;
}

/* Integral of exp(I(Q) - ref) over Q = sigma * u, u in [ua, ub] (0 <= ua
** < ub), I(Q) = f(Q) + a Q, for the sqrt curve: in s = sqrt(u), from sa
** over d = (ub - ua) / (sa + sb), not sb - sa, which cancels when the
** round is small against the flow. */
static double sqrt_piece(const liq_impact_params *ip, double daily_vol,
                         double a, int sigma, double ua, double ub, double ref) {
  double cc = (double)sigma * ip->coefficient * daily_vol / sqrt(ip->daily_volume);
  double sa = sqrt(ua), sb = sqrt(ub), d = (ub - ua) / (sa + sb);
  if (a == 0.0)   /* integral of 2 s e^(c s - ref) ds, closed form */
    return exp(cc * sa - ref) * d * (2.0 * sa * phi1(cc * d) + 2.0 * d * phi2(cc * d));
  return gl_sqrt_integral(cc, (double)sigma * a, sa, d, ref);
}

/* Integral over a linear piece [ua, ub] of the depth curve's exp(f). */
static double depth_linear(const liq_impact_params *ip, double a, int sigma,
                           double ua, double ub, double ref) {
  double ga = depth_gross(ip, sigma, ua), gb = depth_gross(ip, sigma, ub);
  return lin_exp_integral(ga, (gb - ga) / (ub - ua), (double)sigma * a, ua, ub, ref);
}

/* The same for the depth curve: exp(f) is linear between the table's
** notionals (and the 99.9 % cap of sells), so each piece is exact. */
static double depth_piece(const liq_impact_params *ip, double a, int sigma,
                          double ua, double ub, double ref) {
  const double *notional = sigma > 0 ? ip->depth_ask : ip->depth_bid;
  double lo = ua, sum = 0.0;
  size_t k;
  for (k = 0; k <= ip->n_depth && lo < ub; k++) {
    double hi = k < ip->n_depth && notional[k] < ub ? notional[k] : ub;
    if (k + 1 == ip->n_depth) hi = ub;   /* the last segment goes on */
    if (!(hi > lo)) continue;
    if (sigma < 0) {   /* split where the drop reaches its cap */
      double pa = depth_pct(ip, notional, lo), pb = depth_pct(ip, notional, hi);
      if (pa < LIQ_DEPTH_MAX_DROP && pb > LIQ_DEPTH_MAX_DROP) {
        double cut = lo + (hi - lo) * (LIQ_DEPTH_MAX_DROP - pa) / (pb - pa);
        if (cut > lo && cut < hi) {
          sum += depth_linear(ip, a, sigma, lo, cut, ref);
          lo = cut;
        }
      }
    }
    sum += depth_linear(ip, a, sigma, lo, hi, ref);
    lo = hi;
  }
  return sum;
}

/* Integral of exp(I(Q) - ref) over Q between 0 <= ua < ub on side sigma. */
static double curve_piece(const liq_impact_params *ip, double daily_vol,
                          double a, int sigma, double ua, double ub, double ref) {
  if (ip->model == LIQ_IMPACT_SQRT) return sqrt_piece(ip, daily_vol, a, sigma, ua, ub, ref);
  return depth_piece(ip, a, sigma, ua, ub, ref);
}

double liq_impact_fill_ratio(const liq_impact_params *ip, double daily_vol,
                             double q0, double net) {
  double a = liq_impact_permanent_slope(ip), q1 = q0 + net, lo, hi, ref, sum = 0.0;
  if (net == 0.0 || ip->model == LIQ_IMPACT_NONE) return 1.0;
  if (ip->model == LIQ_IMPACT_LINEAR)
    return phi1((ip->coefficient / ip->daily_volume + a) * net);
  ref = liq_impact_level(ip, daily_vol, q0) + a * q0;
  lo = fmin(q0, q1);
  hi = fmax(q0, q1);
  if (!(hi > lo)) return 1.0;   /* net below the rounding step of q0: the limit */
  if (lo < 0.0) sum += curve_piece(ip, daily_vol, a, -1, fmax(-hi, 0.0), -lo, ref);
  if (hi > 0.0) sum += curve_piece(ip, daily_vol, a, 1, fmax(lo, 0.0), hi, ref);
  return sum / (hi - lo);
}

double liq_impact_decay(const liq_impact_params *ip, double seconds) {
  if (!(ip->half_life_seconds > 0.0) || isinf(ip->half_life_seconds)) return 1.0;
  return exp2(-seconds / ip->half_life_seconds);
}

/* ---- state ---------------------------------------------------------------- */

double liq_impact_state_log(const liq_impact_state *st,
                            const liq_impact_params *ip, double daily_vol) {
  return liq_impact_level(ip, daily_vol, st->flow_eff) + st->permanent;
}

void liq_impact_state_decay(liq_impact_state *st, const liq_impact_params *ip,
                            double seconds) {
  st->flow_eff *= liq_impact_decay(ip, seconds);
}

double liq_impact_state_trade(liq_impact_state *st, const liq_impact_params *ip,
                              double daily_vol, double net) {
  double ratio = liq_impact_fill_ratio(ip, daily_vol, st->flow_eff, net);
  st->flow_eff += net;
  st->permanent += liq_impact_permanent_slope(ip) * net;
  return ratio;
}
