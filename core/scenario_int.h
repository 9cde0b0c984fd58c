/*
** scenario_int.h: private to the scenario loader (scenario.c,
** scenario_validate.c, scenario_override.c, scenario_lex.c).  Not part of
** the library's interface: only those four files include it.  Its
** functions are global (shared by the four files), so they carry the
** liq_scn_ prefix: a program linking the library cannot clash with them.
**
**   scenario.c           reading and parsing, located errors, typed access
**                        to settings; liq_scenario_load() runs the passes
**   scenario_validate.c  one validator per group, copying into the struct
**   scenario_override.c  --set overrides and the params JSON
**   scenario_lex.c       the lexer that widens integer literals
*/
#ifndef LIQ_SCENARIO_INT_H
#define LIQ_SCENARIO_INT_H

#include "liq_scenario.h"

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
# define LIQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
# define LIQ_PRINTF(f, a)
#endif

#define PATH_BUF 256        /* longest dotted key path in a message */

/*
** The state of one load: where errors go and how to locate them.
*/
typedef struct loader {
  const char *file;          /* scenario path (or name): FILE of errors */
  const char *dir;           /* its directory, "" for the current one */
  const liq_override *ov;    /* the overrides; setting hooks point here */
  size_t n_ov;                 /* number of overrides */
  liq_err *err;               /* where errors go */
  liq_scenario *sc;           /* the scenario being filled (its warnings) */
} loader;

/* A key a group knows but refuses, and why (the text after the key). */
typedef struct refusal {
  const char *key;
  const char *why;
} refusal;

/* An interval for a number: lo..hi, each end open or closed. */
typedef struct num_range {
  double lo, hi;              /* hi may be HUGE_VAL */
  int lo_open, hi_open;         /* 1: the end is excluded */
} num_range;

/* A number formatted to round-trip, for messages: liq_scn_num(x).z */
typedef struct num_text {
  char z[40];
} num_text;

/* A growable string; 'oom' sticks once an allocation fails. */
typedef struct str_buf {
  char *z;
  size_t n, cap;
  int oom;
} str_buf;

/*
** A key of a group whose keys depend on a selector (price.model,
** impact.model, margin.partial.mode, book.entry.from): bit i of users_mask is
** set when the selector's i-th value takes the key.
*/
typedef struct sel_key {
  const char *key;
  unsigned users_mask;
} sel_key;

#define ALL_USERS 0xFFFFu
#define MAX_SEL_KEYS 32

/* Internal functions shared by the loader's files. */

/* Add "FILE:LINE: message" about setting 's' to p->sc->warnings (see
** liq_scenario.h); a full buffer keeps the first warnings. */
void liq_scn_warn_at(loader *p, const config_setting_t *s, const char *fmt, ...)
  LIQ_PRINTF(3, 4);

num_text liq_scn_num(double v);

void liq_scn_buf_append(str_buf *b, const char *z, size_t n);

void liq_scn_buf_puts(str_buf *b, const char *z);

char *liq_scn_dup_string(const char *z);

liq_where liq_scn_where_of(const loader *p, const config_setting_t *s);

void liq_scn_setting_path(const config_setting_t *s, char *z, size_t n);

int liq_scn_bad_at(loader *p, const config_setting_t *s, const char *fmt, ...)
    LIQ_PRINTF(3, 4);

int liq_scn_bad_at2(loader *p, const config_setting_t *a,
           const config_setting_t *b, const char *fmt, ...)
    LIQ_PRINTF(4, 5);

const char *liq_scn_type_name(const config_setting_t *s);

int liq_scn_missing(loader *p, const config_setting_t *g, const char *key,
            const char *why);

int liq_scn_is_one_of(const char *z, const char *const *az);

int liq_scn_check_keys(loader *p, const config_setting_t *g,
              const char *const *ok_names, const refusal *no);

int liq_scn_check_sel_keys(loader *p, const config_setting_t *g,
                 const char *sel, const char *const *sel_names, int sel_index,
                 const sel_key *key, const refusal *no);

int liq_scn_need_group(loader *p, const config_setting_t *s);

int liq_scn_number_in(loader *p, const config_setting_t *s, const num_range *r,
             double *pr);

int liq_scn_integer_in(loader *p, const config_setting_t *s, long long lo,
              long long hi, long long *pr);

int liq_scn_bool_of(loader *p, const config_setting_t *s, int *pr);

int liq_scn_string_of(loader *p, const config_setting_t *s, const char **pz);

int liq_scn_numbers_in(loader *p, const config_setting_t *s, size_t n_min,
              size_t n_max, const num_range *r, double *a, size_t *pn);

int liq_scn_opt_number(loader *p, const config_setting_t *g, const char *key,
              const num_range *r, double *pr);

int liq_scn_req_number(loader *p, const config_setting_t *g, const char *key,
              const char *why, const num_range *r, double *pr);

int liq_scn_choose_name(loader *p, const config_setting_t *s,
               const char *const *ok_names, int *pi);

int liq_scn_time_of(loader *p, const config_setting_t *s, int64_t *pms);

int liq_scn_validate(loader *p, const config_setting_t *root, liq_scenario *sc);

char *liq_scn_trim(char *z);

int liq_scn_equals_no_case(const char *a, const char *b);

int liq_scn_apply_overrides(loader *p, config_t *cfg);

int liq_scn_params_json(loader *p, char **pz);

/* Add the rate margin.initial_from chose to the params JSON *pz (see
** scenario_override.c). */
int liq_scn_params_note_initial_from(loader *p, const liq_margin_params *mp, char **pz);

int liq_scn_widen_integers(loader *p, const char *text, char **out);

#endif /* LIQ_SCENARIO_INT_H */
