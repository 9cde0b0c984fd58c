/*
** scenario_int.h: private to the scenario loader (scenario.c,
** scenario_validate.c, scenario_override.c, scenario_lex.c).  Not part of
** the library's interface: only those four files include it.
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
typedef struct Loader {
  const char *zFile;          /* scenario path (or name): FILE of errors */
  const char *zDir;           /* its directory, "" for the current one */
  const liq_override *aOv;    /* the overrides; setting hooks point here */
  size_t nOv;                 /* number of overrides */
  liq_err *err;               /* where errors go */
} Loader;

/* A key a group knows but refuses, and why (the text after the key). */
typedef struct Refusal {
  const char *zKey;
  const char *zWhy;
} Refusal;

/* An interval for a number: lo..hi, each end open or closed. */
typedef struct Range {
  double lo, hi;              /* hi may be HUGE_VAL */
  int loOpen, hiOpen;         /* 1: the end is excluded */
} Range;

/* A number formatted to round-trip, for messages: num(x).z */
typedef struct Num {
  char z[40];
} Num;

/* A growable string; 'oom' sticks once an allocation fails. */
typedef struct Buf {
  char *z;
  size_t n, cap;
  int oom;
} Buf;

/*
** A key of a group whose keys depend on a selector (price.model,
** impact.model, margin.partial.mode, book.entry.from): bit i of mUsers is
** set when the selector's i-th value takes the key.
*/
typedef struct SelKey {
  const char *zKey;
  unsigned mUsers;
} SelKey;

#define ALL_USERS 0xFFFFu
#define MAX_SEL_KEYS 32

/* Internal functions shared by the loader's files. */

Num num(double v);

void bufAppend(Buf *b, const char *z, size_t n);

void bufPuts(Buf *b, const char *z);

char *dupString(const char *z);

liq_where whereOf(const Loader *p, const config_setting_t *s);

void settingPath(const config_setting_t *s, char *z, size_t n);

int badAt(Loader *p, const config_setting_t *s, const char *zFmt, ...)
    LIQ_PRINTF(3, 4);

int badAt2(Loader *p, const config_setting_t *a,
           const config_setting_t *b, const char *zFmt, ...)
    LIQ_PRINTF(4, 5);

const char *typeName(const config_setting_t *s);

int missing(Loader *p, const config_setting_t *g, const char *zKey,
            const char *zWhy);

int isOneOf(const char *z, const char *const *az);

int checkKeys(Loader *p, const config_setting_t *g,
              const char *const *azOk, const Refusal *aNo);

int checkSelKeys(Loader *p, const config_setting_t *g,
                 const char *zSel, const char *const *azSel, int iSel,
                 const SelKey *aKey, const Refusal *aNo);

int needGroup(Loader *p, const config_setting_t *s);

int numberIn(Loader *p, const config_setting_t *s, const Range *r,
             double *pr);

int integerIn(Loader *p, const config_setting_t *s, long long lo,
              long long hi, long long *pr);

int boolOf(Loader *p, const config_setting_t *s, int *pr);

int stringOf(Loader *p, const config_setting_t *s, const char **pz);

int numbersIn(Loader *p, const config_setting_t *s, size_t nMin,
              size_t nMax, const Range *r, double *a, size_t *pn);

int optNumber(Loader *p, const config_setting_t *g, const char *zKey,
              const Range *r, double *pr);

int reqNumber(Loader *p, const config_setting_t *g, const char *zKey,
              const char *zWhy, const Range *r, double *pr);

int chooseName(Loader *p, const config_setting_t *s,
               const char *const *azOk, int *pi);

int timeOf(Loader *p, const config_setting_t *s, int64_t *pms);

int validate(Loader *p, const config_setting_t *root, liq_scenario *sc);

char *trim(char *z);

int equalsNoCase(const char *a, const char *b);

int applyOverrides(Loader *p, config_t *cfg);

int paramsJson(Loader *p, char **pz);

int widenIntegers(Loader *p, const char *zText, char **pzOut);

#endif /* LIQ_SCENARIO_INT_H */
