/*
** liq_insurance.h: the insurance fund's settings.  The fund takes
** liquidation fees and pays bad debt; what it cannot pay goes to the
** policy (see liq_engine.h, which applies both).
*/
#ifndef LIQ_INSURANCE_H
#define LIQ_INSURANCE_H

typedef enum {
  LIQ_POLICY_NONE = 0,        /* uncovered bad debt is recorded, nobody pays it */
  LIQ_POLICY_ADL_RANKED = 1,  /* profitable opposite positions by PnL ratio x effective leverage */
  LIQ_POLICY_ADL_PRORATA = 2, /* every profitable opposite position, pro rata to its profit */
  LIQ_POLICY_SOCIALIZE = 3    /* all open opposite positions, pro rata to quantity */
} liq_insurance_policy;

typedef struct liq_insurance_params {
  double fund;             /* initial insurance fund, >= 0, default 0 */
  int    policy;           /* liq_insurance_policy, default none */
} liq_insurance_params;

#endif /* LIQ_INSURANCE_H */
