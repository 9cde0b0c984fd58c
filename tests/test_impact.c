/*
** test_impact.c: the impact formulas (linear, square-root, depth), fills
** along the curve, and impact over time (decayed flow, permanent part).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "liq_impact.h"
#include "liq_scenario.h"
#include "liq_test_support.h"

static liq_impact_params params(int model, double k, double volume) {
  liq_impact_params ip;
  memset(&ip, 0, sizeof ip);
  ip.half_life_seconds = INFINITY;
  ip.model = model;
  ip.coefficient = k;
  ip.daily_volume = volume;
  ip.daily_volatility = nan("");
  ip.max_rounds = 100;
  return ip;
}

static void test_none_is_zero(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_NONE, 1.0, 1e9);
  (void)state;
  assert_true(liq_impact_log_move(&ip, 0.04, 0.0, -1e12) == 0.0);
}

static void test_linear(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_LINEAR, 0.7, 2.0e10);
  (void)state;
  /* Selling 1e8 of 2e10 daily volume with k = 0.7: r = 0.0035. */
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, -1.0e8), -0.0035, 1e-14);
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, 1.0e8), 0.0035, 1e-14);
  /* Linear in size. */
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, -3.0e8), 3.0 * liq_impact_log_move(&ip, 0.04, 0.0, -1.0e8), 1e-14);
  assert_true(liq_impact_log_move(&ip, 0.04, 0.0, 0.0) == 0.0);
}

static void test_sqrt(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double sigma = 0.8 / sqrt(365.0);
  (void)state;
  /* r = Y sigma_d sqrt(Q/V): 1 % of daily volume moves 0.07 sigma_d. */
  assert_rel(liq_impact_log_move(&ip, sigma, 0.0, -2.0e8), -0.7 * sigma * 0.1, 1e-14);
  /* Four times the size, twice the move. */
  assert_rel(liq_impact_log_move(&ip, sigma, 0.0, 8.0e8), 2.0 * liq_impact_log_move(&ip, sigma, 0.0, 2.0e8), 1e-14);
}

static void test_sqrt_cascade_costs_one_trade(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double sigma = 0.04, flow = 0.0, total = 0.0;
  int k;
  (void)state;
  /* Ten rounds of 1e7 sold move the price as one sale of 1e8. */
  for (k = 0; k < 10; k++) {
    total += liq_impact_log_move(&ip, sigma, flow, -1.0e7);
    flow -= 1.0e7;
  }
  assert_rel(total, liq_impact_level(&ip, sigma, -1.0e8), 1e-12);
  assert_rel(total, -0.7 * sigma * sqrt(1.0e8 / 2.0e10), 1e-12);
  /* A round against the flow moves back along the same curve. */
  assert_rel(liq_impact_log_move(&ip, sigma, -1.0e8, 1.0e8), -total, 1e-12);
}

/*
** Used to: readDepthFile() had no BOM handling (the price and book
** readers strip it), so a depth CSV saved by a spreadsheet with a BOM
** failed with 'pct "\xEF\xBB\xBFpct" is not a number'.  Now it is
** stripped.
*/
static void test_depth_file_bom(void **state) {
  char dir[256], csv[512], text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  size_t n_depth;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-impact", dir, sizeof dir);
  liq_test_write_text(dir, "depth_bom.csv",
             "\xEF\xBB\xBF" "pct,bid,ask\n0.1,1000,1000\n0.5,5000,5000\n",
             csv, sizeof csv);
  snprintf(text, sizeof text,
           LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN
           "impact = { model = \"depth\"; depth_file = \"%s\"; };\n", csv);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "depth.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  n_depth = sc->impact.n_depth;
  liq_scenario_free(sc);
  assert_int_equal(n_depth, 2);
}

/* ---- fills along the curve ------------------------------------------------ */

/* Integral of exp(I(Q) - ref) over Q = sigma w^2, w in [0, W], by
** composite Simpson in w (smooth there even for the square root). */
static double simpson_side(const liq_impact_params *ip, double vol, double a,
                           double ref, int sigma, double u_lo, double u_hi, int n) {
  double wa = sqrt(u_lo), wb = sqrt(u_hi), h = (wb - wa) / n, sum = 0.0;
  int i;
  for (i = 0; i <= n; i++) {
    double w = wa + h * i, q = sigma * w * w;
    double wt = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    sum += wt * 2.0 * w * exp(liq_impact_level(ip, vol, q) + a * q - ref);
  }
  return sum * h / 3.0;
}

/* The mean of exp(I(Q) - I(q0)) over [q0, q0 + net] by brute force. */
static double simpson_ratio(const liq_impact_params *ip, double vol, double q0,
                            double net, int n) {
  double a = liq_impact_permanent_slope(ip), ref, lo = fmin(q0, q0 + net),
         hi = fmax(q0, q0 + net), sum = 0.0;
  ref = liq_impact_level(ip, vol, q0) + a * q0;
  if (lo < 0.0) sum += simpson_side(ip, vol, a, ref, -1, fmax(-hi, 0.0), -lo, n);
  if (hi > 0.0) sum += simpson_side(ip, vol, a, ref, 1, fmax(lo, 0.0), hi, n);
  return sum / (hi - lo);
}

static void test_fill_one_round_sqrt_by_hand(void **state) {
  /* Selling Q = 2e12 of V = 2e10 with Y = 0.7, sigma_d = 0.04 from rest:
  ** I(Q) = -c sqrt(Q), c sqrt(Q) = r = 0.7 * 0.04 * 10 = 0.28, and the
  ** mean of e^(-c sqrt(u)) over [0, Q] is 2 (1 - e^-r (1 + r)) / r^2
  ** = 0.8304... */
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double r = 0.28, by_hand = 2.0 * (1.0 - exp(-r) * (1.0 + r)) / (r * r);
  (void)state;
  assert_rel(liq_impact_fill_ratio(&ip, 0.04, 0.0, -2.0e12), by_hand, 1e-13);
  /* Buying the same from rest: the mirror, 2 (1 + e^r (r - 1)) / r^2. */
  assert_rel(liq_impact_fill_ratio(&ip, 0.04, 0.0, 2.0e12),
             2.0 * (1.0 + exp(r) * (r - 1.0)) / (r * r), 1e-13);
  /* Q = 2e8: r = 0.0028 */
  r = 0.0028;
  /* 0.9981353: two thirds of the final move, as a continuous metaorder
  ** pays, not the half of it a fill at the midpoint pays. */
  assert_rel(liq_impact_fill_ratio(&ip, 0.04, 0.0, -2.0e8), 0.9981353, 1e-7);
  assert_rel(1.0 - liq_impact_fill_ratio(&ip, 0.04, 0.0, -2.0e8),
             (2.0 / 3.0) * (1.0 - exp(-r)), 2e-3);
  /* The linear curve: the mean of e^(-z t), t in [0, 1], z = 0.0035. */
  ip.model = LIQ_IMPACT_LINEAR;
  assert_rel(liq_impact_fill_ratio(&ip, 0.04, 0.0, -1.0e8), (1.0 - exp(-0.0035)) / 0.0035, 1e-14);
  assert_true(liq_impact_fill_ratio(&ip, 0.04, 5.0e7, 0.0) == 1.0);
}

static void set_depth3(liq_impact_params *ip) {
  static const double pct[3] = { 0.5, 2.0, 5.0 };
  static const double bid[3] = { 2e3, 2e4, 1e5 };
  static const double ask[3] = { 3e3, 3e4, 1.5e5 };
  ip->model = LIQ_IMPACT_DEPTH;
  ip->n_depth = 3;
  memcpy(ip->depth_pct, pct, sizeof pct);
  memcpy(ip->depth_bid, bid, sizeof bid);
  memcpy(ip->depth_ask, ask, sizeof ask);
}

static void test_fill_depth_by_hand(void **state) {
  /* Selling 1.1e4 from rest: exp(f) = 1 - pct/100 is linear in Q on
  ** [0, 2e3] (to 0.995) and [2e3, 2e4]; the mean is the area under it. */
  liq_impact_params ip = params(LIQ_IMPACT_DEPTH, 0.0, 0.0);
  double g2 = 1.0 - (0.5 + 1.5 * 9e3 / 1.8e4) / 100.0;
  double area = 2e3 * (1.0 + 0.995) / 2.0 + 9e3 * (0.995 + g2) / 2.0;
  (void)state;
  set_depth3(&ip);
  assert_rel(liq_impact_fill_ratio(&ip, 0.0, 0.0, -1.1e4), area / 1.1e4, 1e-14);
}

/* Each curve, with and without a permanent part, from several starting
** flows (across zero too), against brute force. */
static void test_fill_matches_brute_force(void **state) {
  static const double starts[4] = { 0.0, 3e7, -5e7, 1e6 };
  static const double nets[4] = { -2e8, 4e7, 1.5e8, -7e6 };
  int model, perm, i;
  (void)state;
  for (model = LIQ_IMPACT_LINEAR; model <= LIQ_IMPACT_DEPTH; model++) {
    for (perm = 0; perm < 2; perm++) {
      liq_impact_params ip = params(model, 0.9, 2.0e9);
      double scale = 1.0;
      if (model == LIQ_IMPACT_DEPTH) {
        set_depth3(&ip);
        scale = 1e-3;                    /* the table is in thousands */
      }
      ip.permanent = perm ? 0.6 : 0.0;
      for (i = 0; i < 4; i++) {
        double q0 = starts[i] * scale, net = nets[i] * scale;
        assert_rel(liq_impact_fill_ratio(&ip, 0.05, q0, net),
                   simpson_ratio(&ip, 0.05, q0, net, 200000), 1e-9);
      }
    }
  }
}

/* A sell far past the depth curve's 99.9 % cap: exp(f) falls linearly to
** 0.001 at the cut (set_depth3: 99.9 % at 1e5 + 94.9 * 8e4 / 3 of bids)
** and stays there; the mean is the area under it, by hand. */
static void test_fill_depth_past_the_cap(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_DEPTH, 0.0, 0.0);
  double cut = 1e5 + 94.9 * 8e4 / 3.0, x = 1e7;
  double area = 2e3 * (1.0 + 0.995) / 2.0 + 1.8e4 * (0.995 + 0.98) / 2.0 +
                8e4 * (0.98 + 0.95) / 2.0 + (cut - 1e5) * (0.95 + 0.001) / 2.0 +
                (x - cut) * 0.001;
  (void)state;
  set_depth3(&ip);
  assert_rel(liq_impact_fill_ratio(&ip, 0.0, 0.0, -x), area / x, 1e-12);
  /* from past the cap, the curve is flat: the fill is the pre-trade price */
  assert_rel(liq_impact_fill_ratio(&ip, 0.0, -2.0 * cut, -x), 1.0, 1e-12);
}

/* Sqrt with a steep permanent part (the exponent moves by about 60 over
** the round): the Gauss-Legendre panels must follow it. */
static void test_fill_sqrt_steep_permanent(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.9, 2.0e9);
  int sign;
  (void)state;
  ip.permanent = 0.6;
  for (sign = -1; sign <= 1; sign += 2) {
    double q0 = sign * 1e9, net = -sign * 2e11;
    assert_rel(liq_impact_fill_ratio(&ip, 0.05, q0, net),
               simpson_ratio(&ip, 0.05, q0, net, 400000), 1e-9);
    assert_rel(liq_impact_fill_ratio(&ip, 0.05, -q0, net),
               simpson_ratio(&ip, 0.05, -q0, net, 400000), 1e-9);
  }
}

/* Sqrt with a vanishing permanent part (Gauss-Legendre) agrees with the
** closed form without one. */
static void test_fill_quadrature_matches_closed_form(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10), iq;
  (void)state;
  iq = ip;
  iq.permanent = 1e-300;
  assert_rel(liq_impact_fill_ratio(&iq, 0.04, 3e8, -9e8),
             liq_impact_fill_ratio(&ip, 0.04, 3e8, -9e8), 1e-14);
  assert_rel(liq_impact_fill_ratio(&iq, 0.04, 0.0, 5e10),
             liq_impact_fill_ratio(&ip, 0.04, 0.0, 5e10), 1e-14);
}

/* A round small against the flow: the fill is p_pre (1 + I'(q0) net / 2)
** to first order, with I'(q) = c / (2 sqrt q) for the sqrt curve (a
** difference of square roots would lose the 5e-10 to cancellation). */
static void test_fill_small_round_at_large_flow(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double vol = 0.04, q0 = 1e10, net = 1000.0, c = 0.7 * vol / sqrt(2.0e10);
  double want = c / (2.0 * sqrt(q0)) * net / 2.0;
  int perm;
  (void)state;
  for (perm = 0; perm < 2; perm++) {
    ip.permanent = perm ? 0.3 : 0.0;
    assert_rel(liq_impact_fill_ratio(&ip, vol, q0, net) - 1.0,
               want + (perm ? 0.3 / 2.0e10 * net / 2.0 : 0.0), 1e-5);
    assert_rel(liq_impact_fill_ratio(&ip, vol, -q0, -net) - 1.0,
               -want - (perm ? 0.3 / 2.0e10 * net / 2.0 : 0.0), 1e-5);
  }
}

/* A round below the rounding step of the flow (q0 + net == q0 in
** floating point) fills at its pre-trade price, not at 0 / 0: a dust
** round at a large Q_eff must not end the run as a numeric failure. */
static void test_fill_round_below_flow_rounding(void **state) {
  int model, perm, sign;
  (void)state;
  for (model = LIQ_IMPACT_LINEAR; model <= LIQ_IMPACT_DEPTH; model++) {
    for (perm = 0; perm < 2; perm++) {
      for (sign = -1; sign <= 1; sign += 2) {
        liq_impact_params ip = params(model, 0.9, 2.0e9);
        liq_impact_state st = { sign * 2e11, 0.0 };
        double net = -sign * 1e-6, ratio;
        if (model == LIQ_IMPACT_DEPTH) set_depth3(&ip);
        ip.permanent = perm ? 0.6 : 0.0;
        assert_true(st.flow_eff + net == st.flow_eff);
        ratio = liq_impact_state_trade(&st, &ip, 0.05, net);
        assert_true(isfinite(ratio));
        assert_rel(ratio, 1.0, 1e-12);
      }
    }
  }
}

/*
** The split-rounds property: taking the flow from q0 to q1 in k rounds of
** any sizes gives the same end state, and the notional-weighted mean of
** the rounds' fills (in quote at each round's pre-trade price) equals the
** one-round fill.  The integrals add up, so only rounding is left.
*/
static void test_split_rounds_change_nothing(void **state) {
  static const double cuts[7] = { 0.03, 0.1, 0.11, 0.4, 0.41, 0.7, 0.99 };
  int model, perm, k;
  (void)state;
  for (model = LIQ_IMPACT_LINEAR; model <= LIQ_IMPACT_DEPTH; model++) {
    for (perm = 0; perm < 2; perm++) {
      liq_impact_params ip = params(model, 0.9, 2.0e9);
      double q0 = -3e7, net = 4e8, vol = 0.05;
      liq_impact_state one = { q0, 0.0 }, many = { q0, 0.0 };
      double p_one, fill_one, paid = 0.0, p = 1.0, done = 0.0;
      if (model == LIQ_IMPACT_DEPTH) {
        set_depth3(&ip);
        q0 *= 1e-3;
        net *= 1e-3;
        one.flow_eff = many.flow_eff = q0;
      }
      ip.permanent = perm ? 0.6 : 0.0;
      fill_one = liq_impact_state_trade(&one, &ip, vol, net);
      p_one = exp(liq_impact_state_log(&one, &ip, vol) -
                  liq_impact_level(&ip, vol, q0));
      for (k = 0; k <= 7; k++) {
        double upto = k < 7 ? cuts[k] * net : net, piece = upto - done;
        /* p: the price before this piece, relative to the start */
        paid += piece * p * liq_impact_state_trade(&many, &ip, vol, piece);
        p = exp(liq_impact_state_log(&many, &ip, vol) - liq_impact_level(&ip, vol, q0));
        done = upto;
      }
      assert_rel(p, p_one, 1e-12);
      assert_rel(paid / net, fill_one, 1e-12);
      assert_rel(many.flow_eff, one.flow_eff, 1e-12);
      assert_rel(many.permanent, one.permanent, 1e-12);
    }
  }
}

/* ---- impact over time ------------------------------------------------------ */

/* Two cascades of Q a step apart under a long half-life move the price as
** one of 2Q; under a half-life far below the step they do not accumulate. */
static void test_two_cascades_are_one_metaorder(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  liq_impact_state st = { 0.0, 0.0 };
  double q = -1.0e8, vol = 0.04;
  (void)state;
  ip.half_life_seconds = 1e12;
  liq_impact_state_trade(&st, &ip, vol, q);
  liq_impact_state_decay(&st, &ip, 60.0);
  liq_impact_state_trade(&st, &ip, vol, q);
  assert_rel(liq_impact_state_log(&st, &ip, vol), liq_impact_level(&ip, vol, 2.0 * q), 1e-10);
  /* not the sum of two square roots: that is sqrt(2) times more */
  assert_true(fabs(liq_impact_state_log(&st, &ip, vol)) <
              0.75 * fabs(2.0 * liq_impact_level(&ip, vol, q)));
  ip.half_life_seconds = INFINITY;
  memset(&st, 0, sizeof st);
  liq_impact_state_trade(&st, &ip, vol, q);
  liq_impact_state_decay(&st, &ip, 1e9);
  liq_impact_state_trade(&st, &ip, vol, q);
  assert_rel(liq_impact_state_log(&st, &ip, vol), liq_impact_level(&ip, vol, 2.0 * q), 1e-15);
  /* A millisecond half-life: the first cascade is gone a minute later. */
  ip.half_life_seconds = 1e-3;
  memset(&st, 0, sizeof st);
  liq_impact_state_trade(&st, &ip, vol, q);
  liq_impact_state_decay(&st, &ip, 60.0);
  assert_true(st.flow_eff == 0.0);
  liq_impact_state_trade(&st, &ip, vol, q);
  assert_rel(liq_impact_state_log(&st, &ip, vol), liq_impact_level(&ip, vol, q), 1e-15);
}

/* The permanent part is linear in the flow, so path independent: the same
** flows in any order, with any decay between them, end at the same level. */
static void test_permanent_path_independent(void **state) {
  static const double flows[4] = { -3.0e8, 1.0e8, -0.5e8, 1.5e8 };
  static const int orders[3][4] = { { 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 3, 0, 2 } };
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double level[3], vol = 0.04;
  int o, k;
  (void)state;
  ip.permanent = 0.5;
  ip.half_life_seconds = 30.0;
  for (o = 0; o < 3; o++) {
    liq_impact_state st = { 0.0, 0.0 };
    for (k = 0; k < 4; k++) {
      liq_impact_state_trade(&st, &ip, vol, flows[orders[o][k]]);
      liq_impact_state_decay(&st, &ip, 60.0 * (o + 1));
    }
    liq_impact_state_decay(&st, &ip, 1e6);   /* the transient part is gone */
    level[o] = liq_impact_state_log(&st, &ip, vol);
  }
  /* kappa * (sum of flows) / V = 0.5 * (-1e8) / 2e10 */
  assert_rel(level[0], -2.5e-3, 1e-14);
  assert_rel(level[1], level[0], 1e-14);
  assert_rel(level[2], level[0], 1e-14);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_none_is_zero),
    cmocka_unit_test(test_linear),
    cmocka_unit_test(test_sqrt),
    cmocka_unit_test(test_sqrt_cascade_costs_one_trade),
    cmocka_unit_test(test_depth_file_bom),
    cmocka_unit_test(test_fill_one_round_sqrt_by_hand),
    cmocka_unit_test(test_fill_depth_by_hand),
    cmocka_unit_test(test_fill_matches_brute_force),
    cmocka_unit_test(test_fill_depth_past_the_cap),
    cmocka_unit_test(test_fill_sqrt_steep_permanent),
    cmocka_unit_test(test_fill_quadrature_matches_closed_form),
    cmocka_unit_test(test_fill_small_round_at_large_flow),
    cmocka_unit_test(test_fill_round_below_flow_rounding),
    cmocka_unit_test(test_split_rounds_change_nothing),
    cmocka_unit_test(test_two_cascades_are_one_metaorder),
    cmocka_unit_test(test_permanent_path_independent),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
