/*
** liq_fit.h: fit price models to a price path by maximum likelihood.
**
** The data are the log close-to-close returns of consecutive bars of a
** liq_path (liq_path_returns(): pairs across gaps of more than 1.5 median
** spacings are left out).  Models:
**
**   gbm    iid normal returns; closed-form MLE.  Annualised over 365 days
**          from the median bar spacing, in the units of liq_path_gbm().
**   jump   Merton jump diffusion: each return is a Poisson(intensity dt)
**          mixture of normals (the sum truncated where the Poisson tail is
**          below 1e-12, at most LIQ_FIT_JUMP_TERMS terms).  Annualised like
**          gbm, in the units of liq_path_jump().
**   garch  GARCH(1,1) with unit-variance Student-t innovations, parameters
**          per bar, in the units of liq_path_garch(); the recursion starts
**          at the sample variance and runs over the returns kept.
**
** jump and garch are maximised with GSL's Nelder-Mead simplex
** (nmsimplex2) on transformed parameters (logs for positive ones, a
** softmax for garch alpha/beta with alpha + beta < 1, nu = 2 + exp(.)),
** on returns standardised to mean 0 and variance 1, restarted at the
** optimum until it stops improving.  Two bounds keep the jump likelihood
** bounded: the diffusion sd is at least 5 % of the returns' sd (else one
** mixture component can collapse onto a single return) and there are at
** most 2 jumps per bar on average (beyond, the truncated Poisson sum would
** be inexact; such jumps are a diffusion anyway).  A garch fit on data
** without clustering leaves beta unidentified (alpha ~ 0): the simplex
** stops when it stops improving.  The library never prints except into
** the FILE given to liq_fit_print_section().
*/
#ifndef LIQ_FIT_H
#define LIQ_FIT_H

#include <stddef.h>
#include <stdio.h>

#include "liq_err.h"
#include "liq_path.h"

typedef enum { LIQ_FIT_GBM = 0, LIQ_FIT_JUMP = 1, LIQ_FIT_GARCH = 2 } liq_fit_model;

#define LIQ_FIT_MIN_RETURNS 100  /* jump and garch need at least this many returns */
#define LIQ_FIT_JUMP_TERMS  20   /* at most this many Poisson terms per return */

typedef struct liq_fit_result {
  int    model;            /* liq_fit_model */
  size_t n_returns;        /* log returns used */
  size_t n_skipped;        /* bar pairs left out (gaps of > 1.5 median spacings) */
  double step_seconds;     /* median bar spacing, seconds */
  double start;            /* the path's last close: the printed start price */
  int    n_params;         /* k: free parameters */
  double log_likelihood;   /* ln L of the n_returns returns at the estimate */
  double aic;              /* 2 k - 2 ln L */
  int    iterations;       /* simplex iterations over all restarts; 0 for gbm */
  double daily_volatility; /* the fitted model's, as its path source reports it */
  /* gbm and jump, annualised over 365 days */
  double drift;            /* expected growth rate of the price, per year */
  double volatility;       /* diffusion sigma, per sqrt(year) */
  double jump_intensity;   /* jump: expected jumps per year */
  double jump_mean;        /* jump: mean log jump size */
  double jump_sd;          /* jump: sd of the log jump size */
  /* garch, per bar */
  double garch_mu;         /* mean log return per bar */
  double garch_omega, garch_alpha, garch_beta;
  double garch_nu;         /* Student-t degrees of freedom, > 2 */
  double garch_variance_next; /* conditional variance of the bar after the last */
} liq_fit_result;

/*
** Fit 'model' (liq_fit_model) to the returns of 'p'.  On success *out
** holds the estimate.  Errors: LIQ_INPUT for too few returns (gbm 2,
** others LIQ_FIT_MIN_RETURNS) or returns without variance, LIQ_NUMERIC
** when the likelihood or the simplex fails (with GSL's message),
** LIQ_NOMEM.  'out' is zeroed first.
*/
int liq_fit_run(const liq_path *p, int model, liq_fit_result *out /* OUT */,
                liq_err *err);

/*
** Print a libconfig price section ready to paste into a scenario:
**   price = { model = "..."; start = <last close>; ...; };
**   step_seconds = <bar spacing>;
** preceded by a comment with ln L, AIC and the number of returns.
*/
void liq_fit_print_section(const liq_fit_result *r, FILE *out);

/* A garch fit whose alpha + beta is 1 within LIQ_FIT_INTEGRATED (or
** above): integrated GARCH, no unconditional variance, so no daily
** volatility is printed (r->daily_volatility is not a meaningful scale). */
#define LIQ_FIT_INTEGRATED 1.0e-3
int liq_fit_garch_integrated(const liq_fit_result *r);

/* "gbm", "jump", "garch" <-> liq_fit_model; -1 / NULL when unknown. */
int liq_fit_model_parse(const char *name);
const char *liq_fit_model_name(int model);

#endif /* LIQ_FIT_H */
