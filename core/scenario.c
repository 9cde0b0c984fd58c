/*
** scenario.c: load a scenario file (libconfig syntax), apply --set
** overrides and validate everything into a plain liq_scenario.
**
** Loading runs in three passes over one config_t:
**
**   1. read:     the text is read whole (the run stores it), integer
**                literals too wide for libconfig 1.5's 32-bit ints get an
**                'L' suffix (1.5 silently wraps them otherwise),
**                @include is refused (libconfig would read the included
**                file itself, past both) and libconfig parses it;
**   2. override: each --set walks (or creates) groups from the root and
**                replaces one scalar; the new setting's hook points at its
**                liq_override, so errors about it say "--set":N;
**   3. validate: one function per group rejects unknown keys, then copies
**                each value into the struct, checking type and range.
**                Groups whose keys depend on a selector (price.model,
**                impact.model, margin.partial.mode, book.entry.from) say
**                which selector values take a misplaced key.
**
** Every error carries the FILE:LINE of the setting it is about, or of the
** enclosing group when a required key is missing.  Files the scenario
** names (price.file, funding.file, impact.depth_file, book.file) resolve
** against the scenario's directory and must open; the small depth CSV is
** read here, with errors at its own FILE:LINE.  Nothing outlives
** config_destroy(): strings are copied into the struct.
*/
#define _POSIX_C_SOURCE 200809L   /* stat */

#include "liq_scenario.h"
#include "liq_margin.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
# define LIQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
# define LIQ_PRINTF(f, a)
#endif

#define PATH_BUF 256        /* longest dotted key path in a message */

/* Every file name the scenario holds fits an error's FILE. */
_Static_assert(sizeof(((liq_err *)0)->file) >= LIQ_PATH_MAX,
               "liq_err.file must hold a LIQ_PATH_MAX path");

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

static const Range rPositive    = {0.0, HUGE_VAL, 1, 0};   /* (0, inf) */
static const Range rNonNegative = {0.0, HUGE_VAL, 0, 0};   /* [0, inf) */
static const Range rUnit        = {0.0, 1.0, 0, 0};        /* [0, 1] */
static const Range rOpenUnit    = {0.0, 1.0, 1, 1};        /* (0, 1) */
static const Range rAny         = {-HUGE_VAL, HUGE_VAL, 0, 0};

/* A number formatted to round-trip, for messages: num(x).z */
typedef struct Num {
  char z[40];
} Num;

static Num num(double v) {
  Num n;
  int prec;
  for (prec = 15; prec < 17; prec++) {
    snprintf(n.z, sizeof n.z, "%.*g", prec, v);
    if (strtod(n.z, NULL) == v) return n;
  }
  snprintf(n.z, sizeof n.z, "%.17g", v);
  return n;
}

/* A growable string; 'oom' sticks once an allocation fails. */
typedef struct Buf {
  char *z;
  size_t n, cap;
  int oom;
} Buf;

static void bufAppend(Buf *b, const char *z, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    char *zNew;
    while (cap < b->n + n + 1) cap *= 2;
    zNew = realloc(b->z, cap);
    if (zNew == NULL) {
      b->oom = 1;
      return;
    }
    b->z = zNew;
    b->cap = cap;
  }
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = '\0';
}

static void bufPuts(Buf *b, const char *z) { bufAppend(b, z, strlen(z)); }

static char *dupString(const char *z) {
  size_t n = strlen(z) + 1;
  char *zNew = malloc(n);
  if (zNew) memcpy(zNew, z, n);
  return zNew;
}

/* ------------------------------------------------------------------ */
/* Locating and reporting errors                                      */
/* ------------------------------------------------------------------ */

/* The override that set 's', or NULL when 's' comes from the file. */
static const liq_override *overrideOf(const config_setting_t *s) {
  return s ? (const liq_override *)config_setting_get_hook(s) : NULL;
}

/*
** Where an error about 's' is: "--set" and the override's 1-based index
** when an override made 's', else the file and the setting's line (line 1
** for the root, whose line is 0).
*/
static void settingWhere(const Loader *p, const config_setting_t *s,
                         const char **pzFile, int *piLine) {
  const liq_override *o = overrideOf(s);
  if (o) {
    *pzFile = "--set";
    *piLine = (int)(o - p->aOv) + 1;
    return;
  }
  *pzFile = (s && config_setting_source_file(s)) ? config_setting_source_file(s)
                                                 : p->zFile;
  *piLine = s ? (int)config_setting_source_line(s) : 0;
  if (*piLine < 1) *piLine = 1;
}

/* The liq_where of setting 's' (may be NULL: unknown), for errors found
** after loading. */
static liq_where whereOf(const Loader *p, const config_setting_t *s) {
  liq_where w = {0, 0};
  const liq_override *o = overrideOf(s);
  if (s == NULL) return w;
  if (o) {
    w.set = (int)(o - p->aOv) + 1;
    return w;
  }
  w.line = (int)config_setting_source_line(s);
  if (w.line < 1) w.line = 1;
  return w;
}

/* The dotted path of 's' from the root ("" for the root itself). */
static void settingPath(const config_setting_t *s, char *z, size_t n) {
  const config_setting_t *pParent = s ? config_setting_parent(s) : NULL;
  size_t len;
  if (n == 0) return;
  z[0] = '\0';
  if (pParent == NULL) return;
  settingPath(pParent, z, n);
  len = strlen(z);
  if (config_setting_name(s)) {
    snprintf(z + len, n - len, "%s%s", len ? "." : "", config_setting_name(s));
  } else {
    snprintf(z + len, n - len, "[%d]", config_setting_index(s));
  }
}

static int badAtV(Loader *p, const config_setting_t *s, const char *zFmt,
                  va_list ap) {
  char zMsg[1024];
  const char *zWhere;
  int iLine;
  vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
  settingWhere(p, s, &zWhere, &iLine);
  return liq_errf(p->err, LIQ_INPUT, zWhere, iLine, "%s", zMsg);
}

/* Report LIQ_INPUT located at setting 's'. */
static int badAt(Loader *p, const config_setting_t *s, const char *zFmt, ...)
    LIQ_PRINTF(3, 4);
static int badAt(Loader *p, const config_setting_t *s, const char *zFmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = badAtV(p, s, zFmt, ap);
  va_end(ap);
  return rc;
}

/* Report an error about two settings at 'a', unless only 'b' was set by
** an override: then the override is the likelier culprit. */
static int badAt2(Loader *p, const config_setting_t *a,
                  const config_setting_t *b, const char *zFmt, ...)
    LIQ_PRINTF(4, 5);
static int badAt2(Loader *p, const config_setting_t *a,
                  const config_setting_t *b, const char *zFmt, ...) {
  va_list ap;
  int rc;
  const config_setting_t *s = (overrideOf(b) && !overrideOf(a)) ? b : a;
  va_start(ap, zFmt);
  rc = badAtV(p, s, zFmt, ap);
  va_end(ap);
  return rc;
}

static const char *typeName(const config_setting_t *s) {
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:  return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "an integer";
    case CONFIG_TYPE_FLOAT:  return "a floating-point number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "a boolean";
    case CONFIG_TYPE_ARRAY:  return "an array";
    case CONFIG_TYPE_LIST:   return "a list";
    default:                 return "nothing";
  }
}

/* "'zKey' of 'g' is required<zWhy>", located at the group 'g'. */
static int missing(Loader *p, const config_setting_t *g, const char *zKey,
                   const char *zWhy) {
  char zPath[PATH_BUF];
  settingPath(g, zPath, sizeof zPath);
  return badAt(p, g, "%s%s%s is required%s", zPath, zPath[0] ? "." : "",
               zKey, zWhy);
}

/* ------------------------------------------------------------------ */
/* Typed access to settings                                           */
/* ------------------------------------------------------------------ */

static int isOneOf(const char *z, const char *const *az) {
  for (; *az; az++) {
    if (strcmp(z, *az) == 0) return 1;
  }
  return 0;
}

static void joinList(const char *const *az, char *z, size_t n) {
  size_t len = 0;
  z[0] = '\0';
  for (; *az && len < n; az++) {
    len += (size_t)snprintf(z + len, n - len, "%s%s", len ? ", " : "", *az);
  }
}

/* "a, b or c" */
static void joinOr(const char *const *az, char *z, size_t n) {
  size_t len = 0;
  int i;
  z[0] = '\0';
  for (i = 0; az[i] && len < n; i++) {
    const char *zSep = i == 0 ? "" : az[i + 1] ? ", " : " or ";
    len += (size_t)snprintf(z + len, n - len, "%s%s", zSep, az[i]);
  }
}

/*
** Report member 'm' of group 'g', which is not in 'azOk': with its reason
** when 'aNo' (may be NULL) lists it, else as unknown.
*/
static int rejectKey(Loader *p, const config_setting_t *g,
                     const config_setting_t *m, const char *const *azOk,
                     const Refusal *aNo) {
  const char *zName = config_setting_name(m);
  const Refusal *r;
  char zPath[PATH_BUF], zOk[512];
  settingPath(m, zPath, sizeof zPath);
  for (r = aNo; r && r->zKey; r++) {
    if (strcmp(r->zKey, zName) == 0) {
      return badAt(p, m, "%s %s", zPath, r->zWhy);
    }
  }
  joinList(azOk, zOk, sizeof zOk);
  settingPath(g, zPath, sizeof zPath);
  return badAt(p, m, "unknown key '%s' %s%s (expected one of: %s)", zName,
               zPath[0] ? "in " : "at top level", zPath, zOk);
}

/*
** Reject members of group 'g' that are not in 'azOk': a key listed in
** 'aNo' (may be NULL) with its reason, any other as unknown.  Members are
** checked in file order, so the first bad key is reported.
*/
static int checkKeys(Loader *p, const config_setting_t *g,
                     const char *const *azOk, const Refusal *aNo) {
  int i, n = config_setting_length(g);
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    if (!isOneOf(config_setting_name(m), azOk)) {
      return rejectKey(p, g, m, azOk, aNo);
    }
  }
  return LIQ_OK;
}

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

/*
** checkKeys() for a group with a selector: the member 'zSel' chose
** azSel[iSel] (iSel -1: the selector is missing, every key of aKey is
** accepted).  A key that only other values take is rejected with the
** values that take it and the keys this one takes.
*/
static int checkSelKeys(Loader *p, const config_setting_t *g,
                        const char *zSel, const char *const *azSel, int iSel,
                        const SelKey *aKey, const Refusal *aNo) {
  const char *azOk[MAX_SEL_KEYS + 1], *azUsers[MAX_SEL_KEYS + 1];
  char zPath[PATH_BUF], zUsers[256], zOk[512];
  size_t nOk = 0, nUsers;
  int i, j, n = config_setting_length(g);
  for (i = 0; aKey[i].zKey && nOk < MAX_SEL_KEYS; i++) {
    if (iSel < 0 || (aKey[i].mUsers >> iSel) & 1u) azOk[nOk++] = aKey[i].zKey;
  }
  azOk[nOk] = NULL;
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    const char *zName = config_setting_name(m);
    const SelKey *k;
    if (isOneOf(zName, azOk)) continue;
    for (k = aKey; k->zKey && strcmp(k->zKey, zName) != 0; k++) {}
    if (k->zKey == NULL) return rejectKey(p, g, m, azOk, aNo);
    for (j = 0, nUsers = 0; azSel[j] && nUsers < MAX_SEL_KEYS; j++) {
      if ((k->mUsers >> j) & 1u) azUsers[nUsers++] = azSel[j];
    }
    azUsers[nUsers] = NULL;
    joinOr(azUsers, zUsers, sizeof zUsers);
    joinList(azOk, zOk, sizeof zOk);
    settingPath(m, zPath, sizeof zPath);
    /* When --set changed the selector, the override is the culprit. */
    return badAt2(p, m, config_setting_get_member(g, zSel),
                  "%s is only used when %s is %s (%s %s takes: %s)", zPath,
                  zSel, zUsers, zSel, azSel[iSel], zOk);
  }
  return LIQ_OK;
}


/* 's' must be a group. */
static int needGroup(Loader *p, const config_setting_t *s) {
  char zPath[PATH_BUF];
  if (config_setting_is_group(s)) return LIQ_OK;
  settingPath(s, zPath, sizeof zPath);
  return badAt(p, s, "%s must be a group { ... }, got %s", zPath, typeName(s));
}

/* 'v', the value of 's', must lie in 'r'. */
static int checkRange(Loader *p, const config_setting_t *s, double v,
                      const Range *r) {
  char zPath[PATH_BUF];
  int ok = (r->loOpen ? v > r->lo : v >= r->lo) &&
           (r->hiOpen ? v < r->hi : v <= r->hi);
  if (ok) return LIQ_OK;
  settingPath(s, zPath, sizeof zPath);
  if (isinf(r->hi)) {
    return badAt(p, s, "%s must be %s %s, got %s", zPath,
                 r->loOpen ? ">" : ">=", num(r->lo).z, num(v).z);
  }
  return badAt(p, s, "%s must be in %c%s, %s%c, got %s", zPath,
               r->loOpen ? '(' : '[', num(r->lo).z, num(r->hi).z,
               r->hiOpen ? ')' : ']', num(v).z);
}

/* A finite number (int or float setting) in range 'r'. */
static int numberIn(Loader *p, const config_setting_t *s, const Range *r,
                    double *pr) {
  char zPath[PATH_BUF];
  double v;
  int rc;
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:   v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
    default:
      settingPath(s, zPath, sizeof zPath);
      return badAt(p, s, "%s must be a number, got %s", zPath, typeName(s));
  }
  if (!isfinite(v)) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be finite, got %s", zPath, num(v).z);
  }
  if ((rc = checkRange(p, s, v, r)) != LIQ_OK) return rc;
  *pr = v;
  return LIQ_OK;
}

/*
** A whole number in [lo, hi]: an int setting, or a float one with no
** fractional part (positions = 1e5).
*/
static int integerIn(Loader *p, const config_setting_t *s, long long lo,
                     long long hi, long long *pr) {
  char zPath[PATH_BUF];
  long long v;
  settingPath(s, zPath, sizeof zPath);
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:   v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
      double d = config_setting_get_float(s);
      if (!isfinite(d)) {
        return badAt(p, s, "%s must be finite, got %s", zPath, num(d).z);
      }
      if (d != floor(d)) {
        return badAt(p, s, "%s must be a whole number, got %s", zPath, num(d).z);
      }
      /* (double)LLONG_MAX rounds up to 2^63, so compare with 2^63 itself:
      ** only d in [-2^63, 2^63) converts to long long. */
      if (!(d >= -0x1p63 && d < 0x1p63) || (long long)d < lo ||
          (long long)d > hi) {
        if (d < (double)lo && hi >= INT_MAX) {
          return badAt(p, s, "%s must be >= %lld, got %s", zPath, lo, num(d).z);
        }
        return badAt(p, s, "%s must be in [%lld, %lld], got %s", zPath, lo, hi,
                     num(d).z);
      }
      v = (long long)d;
      break;
    }
    default:
      return badAt(p, s, "%s must be an integer, got %s", zPath, typeName(s));
  }
  if (v < lo || v > hi) {
    if (v < lo && hi >= INT_MAX) {   /* the upper bound is only a type limit */
      return badAt(p, s, "%s must be >= %lld, got %lld", zPath, lo, v);
    }
    return badAt(p, s, "%s must be in [%lld, %lld], got %lld", zPath, lo, hi, v);
  }
  *pr = v;
  return LIQ_OK;
}

static int boolOf(Loader *p, const config_setting_t *s, int *pr) {
  char zPath[PATH_BUF];
  if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be true or false, got %s", zPath, typeName(s));
  }
  *pr = config_setting_get_bool(s) ? 1 : 0;
  return LIQ_OK;
}

static int stringOf(Loader *p, const config_setting_t *s, const char **pz) {
  char zPath[PATH_BUF];
  if (config_setting_type(s) != CONFIG_TYPE_STRING) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be a string, got %s", zPath, typeName(s));
  }
  *pz = config_setting_get_string(s);
  return LIQ_OK;
}

/*
** An array [..] or list (..) of 1..nMax finite numbers in 'r' into a[];
** *pn gets the count.  nMin may be 0.
*/
static int numbersIn(Loader *p, const config_setting_t *s, size_t nMin,
                     size_t nMax, const Range *r, double *a, size_t *pn) {
  char zPath[PATH_BUF];
  int i, n;
  if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be an array of numbers [ ... ], got %s", zPath,
                 typeName(s));
  }
  n = config_setting_length(s);
  if ((size_t)n < nMin || (size_t)n > nMax) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must have %zu to %zu values, got %d", zPath, nMin,
                 nMax, n);
  }
  for (i = 0; i < n; i++) {
    int rc = numberIn(p, config_setting_get_elem(s, (unsigned)i), r, &a[i]);
    if (rc) return rc;
  }
  *pn = (size_t)n;
  return LIQ_OK;
}

/* The optional member 'zKey' of 'g' as a number in 'r'; *pr keeps its
** default when the key is absent. */
static int optNumber(Loader *p, const config_setting_t *g, const char *zKey,
                     const Range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, zKey);
  return s ? numberIn(p, s, r, pr) : LIQ_OK;
}

/* The required member 'zKey' of 'g' as a number in 'r'. */
static int reqNumber(Loader *p, const config_setting_t *g, const char *zKey,
                     const char *zWhy, const Range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, zKey);
  return s ? numberIn(p, s, r, pr) : missing(p, g, zKey, zWhy);
}

/*
** Match the string setting 's' against 'azOk' (*pi gets the index).
*/
static int chooseName(Loader *p, const config_setting_t *s,
                      const char *const *azOk, int *pi) {
  char zPath[PATH_BUF], zOk[256];
  const char *z = NULL;
  int rc = stringOf(p, s, &z), i;
  if (rc) return rc;
  for (i = 0; azOk[i]; i++) {
    if (strcmp(z, azOk[i]) == 0) {
      *pi = i;
      return LIQ_OK;
    }
  }
  settingPath(s, zPath, sizeof zPath);
  joinOr(azOk, zOk, sizeof zOk);
  return badAt(p, s, "%s \"%s\" is unknown (expected %s)", zPath, z, zOk);
}

/* ------------------------------------------------------------------ */
/* Dates                                                              */
/* ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long daysFromCivil(long long y, unsigned m, unsigned d) {
  long long era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

/* The inverse of daysFromCivil(). */
static void civilFromDays(long long z, long long *py, unsigned *pm,
                          unsigned *pd) {
  long long era;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *pd = doy - (153 * mp + 2) / 5 + 1;
  *pm = mp < 10 ? mp + 3 : mp - 9;
  *py = (long long)yoe + era * 400 + (*pm <= 2);
}

static unsigned daysInMonth(long long y, unsigned m) {
  static const unsigned aDays[12] = {31, 28, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return aDays[m - 1] + (m == 2 && leap);
}

/* Read exactly 'n' decimal digits at *pz. */
static int readDigits(const char **pz, int n, unsigned *pv) {
  unsigned v = 0;
  int i;
  for (i = 0; i < n; i++) {
    char c = (*pz)[i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (unsigned)(c - '0');
  }
  *pz += n;
  *pv = v;
  return 1;
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" (UTC; a 'T'
** may stand for the space) to Unix ms.  Returns 0 if malformed. */
static int parseDate(const char *z, int64_t *pms) {
  unsigned y, mo, d, h = 0, mi = 0, s = 0;
  if (!readDigits(&z, 4, &y) || *z++ != '-' || !readDigits(&z, 2, &mo) ||
      *z++ != '-' || !readDigits(&z, 2, &d)) {
    return 0;
  }
  if (*z == ' ' || *z == 'T') {
    z++;
    if (!readDigits(&z, 2, &h) || *z++ != ':' || !readDigits(&z, 2, &mi)) {
      return 0;
    }
    if (*z == ':') {
      z++;
      if (!readDigits(&z, 2, &s)) return 0;
    }
  }
  if (*z != '\0') return 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 ||
      mi > 59 || s > 59) {
    return 0;
  }
  *pms = (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s) * 1000LL;
  return 1;
}

/* Unix ms as "YYYY-MM-DD HH:MM:SS[.mmm] UTC", for messages. */
static void formatTime(int64_t ms, char *z, size_t n) {
  long long sec = ms / 1000, rem = ms % 1000, days, tod, y;
  unsigned m, d;
  if (rem < 0) {
    rem += 1000;
    sec -= 1;
  }
  days = sec / 86400;
  tod = sec % 86400;
  if (tod < 0) {
    tod += 86400;
    days -= 1;
  }
  civilFromDays(days, &y, &m, &d);
  if (rem) {
    snprintf(z, n, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%03lld UTC", y, m, d,
             tod / 3600, tod / 60 % 60, tod % 60, rem);
  } else {
    snprintf(z, n, "%04lld-%02u-%02u %02lld:%02lld:%02lld UTC", y, m, d,
             tod / 3600, tod / 60 % 60, tod % 60);
  }
}

/* A window bound: Unix ms (a whole number) or a date string. */
static int timeOf(Loader *p, const config_setting_t *s, int64_t *pms) {
  char zPath[PATH_BUF];
  long long v;
  settingPath(s, zPath, sizeof zPath);
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT: {
      int rc = integerIn(p, s, LLONG_MIN, LLONG_MAX, &v);
      if (rc) return rc;
      *pms = v;
      return LIQ_OK;
    }
    case CONFIG_TYPE_STRING:
      if (parseDate(config_setting_get_string(s), pms)) return LIQ_OK;
      return badAt(p, s,
                   "%s \"%s\" is not a date (expected \"YYYY-MM-DD\", "
                   "\"YYYY-MM-DD HH:MM\" or \"YYYY-MM-DD HH:MM:SS\", UTC)",
                   zPath, config_setting_get_string(s));
    default:
      return badAt(p, s,
                   "%s must be a date string \"YYYY-MM-DD[ HH:MM[:SS]]\" (UTC) "
                   "or Unix milliseconds, got %s",
                   zPath, typeName(s));
  }
}

/* ------------------------------------------------------------------ */
/* Validation, one function per group                                 */
/* ------------------------------------------------------------------ */

static int isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* [A-Za-z0-9_.-]+ */
static int validName(const char *z) {
  if (*z == '\0') return 0;
  for (; *z; z++) {
    if (!isNameChar(*z)) return 0;
  }
  return 1;
}

/* The default name: the file's basename without its extension, with
** characters outside [A-Za-z0-9_.-] turned into '_'. */
static void defaultName(const char *zFile, char *z, size_t n) {
  const char *zBase = strrchr(zFile, '/');
  const char *zDot;
  size_t len, i;
  zBase = zBase ? zBase + 1 : zFile;
  zDot = strrchr(zBase, '.');
  len = (zDot && zDot != zBase) ? (size_t)(zDot - zBase) : strlen(zBase);
  if (len > n - 1) len = n - 1;
  for (i = 0; i < len; i++) z[i] = isNameChar(zBase[i]) ? zBase[i] : '_';
  z[len] = '\0';
  if (len == 0) snprintf(z, n, "scenario");
}

static int validateName(Loader *p, const config_setting_t *root,
                        liq_scenario *sc) {
  const config_setting_t *s = config_setting_get_member(root, "name");
  const char *z = NULL;
  int rc;
  if (s == NULL) {
    defaultName(p->zFile, sc->name, sizeof sc->name);
    return LIQ_OK;
  }
  if ((rc = stringOf(p, s, &z)) != LIQ_OK) return rc;
  if (!validName(z)) {
    return badAt(p, s, "name must match [A-Za-z0-9_.-]+, got \"%s\"", z);
  }
  if (strlen(z) >= sizeof sc->name) {
    return badAt(p, s, "name is too long (at most %zu characters), got %zu",
                 sizeof sc->name - 1, strlen(z));
  }
  snprintf(sc->name, sizeof sc->name, "%s", z);
  return LIQ_OK;
}

/*
** Join the file name of setting 's' to the scenario's directory (absolute
** names stay) into zOut, and check that it can be opened, so `liqsim
** check` catches a missing file.  Used by price.file, funding.file,
** impact.depth_file and book.file.
*/
static int resolveFile(Loader *p, const config_setting_t *s, char *zOut,
                       size_t nOut) {
  char zPath[PATH_BUF];
  const char *z = NULL;
  struct stat st;
  FILE *f;
  int rc = stringOf(p, s, &z), n;
  if (rc) return rc;
  settingPath(s, zPath, sizeof zPath);
  if (z[0] == '\0') return badAt(p, s, "%s must not be empty", zPath);
  if (z[0] == '/' || p->zDir[0] == '\0') {
    n = snprintf(zOut, nOut, "%s", z);
  } else {
    size_t len = strlen(p->zDir);
    n = snprintf(zOut, nOut, "%s%s%s", p->zDir,
                 p->zDir[len - 1] == '/' ? "" : "/", z);
  }
  if (n < 0 || (size_t)n >= nOut) {
    return badAt(p, s, "%s is too long (at most %zu bytes after joining the "
                 "scenario's directory)", zPath, nOut - 1);
  }
  /* Before opening: opening a FIFO would wait for a writer, and the file
  ** is read again for each run (history warm-up, sweep replicates). */
  if (stat(zOut, &st) == 0 && !S_ISREG(st.st_mode)) {
    return badAt(p, s, "%s \"%s\" is not a regular file (%s; expected a "
                 "file that can be read more than once)", zPath, zOut,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode)
                 ? "a pipe" : "a device or other special file");
  }
  f = fopen(zOut, "rb");
  if (f == NULL) {
    return badAt(p, s, "%s \"%s\" cannot be opened: %s (relative names start "
                 "at the scenario file's directory)", zPath, zOut,
                 strerror(errno));
  }
  if (fgetc(f) == EOF && ferror(f)) {          /* e.g. a directory */
    int e = errno;
    fclose(f);
    return badAt(p, s, "%s \"%s\" cannot be read: %s", zPath, zOut,
                 strerror(e));
  }
  fclose(f);
  return LIQ_OK;
}

/* price.model names, in liq_price_model order. */
static const char *const azPriceModels[] = {"gbm", "replay", "jump", "garch",
                                            "bootstrap", NULL};

#define M_GBM       (1u << LIQ_PRICE_GBM)
#define M_REPLAY    (1u << LIQ_PRICE_REPLAY)
#define M_JUMP      (1u << LIQ_PRICE_JUMP)
#define M_GARCH     (1u << LIQ_PRICE_GARCH)
#define M_BOOTSTRAP (1u << LIQ_PRICE_BOOTSTRAP)

/* The keys of price, and the models that take them. */
static const SelKey aPriceKeys[] = {
  {"model", ALL_USERS},
  {"start", M_GBM | M_JUMP | M_GARCH | M_BOOTSTRAP},
  {"drift", M_GBM | M_JUMP},
  {"volatility", M_GBM | M_JUMP},
  {"intensity", M_JUMP},
  {"jump_mean", M_JUMP},
  {"jump_sd", M_JUMP},
  {"mu", M_GARCH},
  {"omega", M_GARCH},
  {"alpha", M_GARCH},
  {"beta", M_GARCH},
  {"nu", M_GARCH},
  {"variance0", M_GARCH},
  {"file", M_REPLAY | M_BOOTSTRAP},
  {"from", M_REPLAY | M_BOOTSTRAP},
  {"to", M_REPLAY | M_BOOTSTRAP},
  {"block", M_BOOTSTRAP},
  {NULL, 0}};

static const Refusal aPriceNo[] = {
  {"columns", "is not implemented yet (CSV columns are detected "
              "automatically)"},
  {NULL, NULL}};

/* file, from and to of the replay and bootstrap models. */
static int validateWindow(Loader *p, const config_setting_t *g,
                          liq_price_params *pp) {
  const config_setting_t *sFile = config_setting_get_member(g, "file");
  const config_setting_t *sFrom = config_setting_get_member(g, "from");
  const config_setting_t *sTo = config_setting_get_member(g, "to");
  char zWhy[64];
  int rc;
  if (sFile == NULL) {
    snprintf(zWhy, sizeof zWhy, " for model %s", azPriceModels[pp->model]);
    return missing(p, g, "file", zWhy);
  }
  if ((rc = resolveFile(p, sFile, pp->file, sizeof pp->file)) != LIQ_OK) {
    return rc;
  }
  if (sFrom) {
    if ((rc = timeOf(p, sFrom, &pp->from_ms)) != LIQ_OK) return rc;
    pp->has_from = 1;
  }
  if (sTo) {
    if ((rc = timeOf(p, sTo, &pp->to_ms)) != LIQ_OK) return rc;
    pp->has_to = 1;
  }
  if (sFrom && sTo && pp->from_ms > pp->to_ms) {
    char zFrom[64], zTo[64];
    formatTime(pp->from_ms, zFrom, sizeof zFrom);
    formatTime(pp->to_ms, zTo, sizeof zTo);
    return badAt2(p, sFrom, sTo,
                  "price.from (%s) must not be after price.to (%s)", zFrom,
                  zTo);
  }
  return LIQ_OK;
}

/* gbm and jump: start, drift, volatility; jump adds the Merton jumps. */
static int validateDiffusion(Loader *p, const config_setting_t *g,
                             liq_price_params *pp) {
  /* Up to 100 (10000 % a year): what `liqsim fit` gets from short, fast
  ** bars must load; the run's length bounds it further (validateHorizon). */
  static const Range rVol = {0.0, 100.0, 0, 0};
  static const Range rJumpMean = {-10.0, 10.0, 0, 0};
  const char *zModel = azPriceModels[pp->model];
  char zWhy[96];
  int rc;
  snprintf(zWhy, sizeof zWhy, " for model %s", zModel);
  if ((rc = reqNumber(p, g, "start", zWhy, &rPositive, &pp->start)) != LIQ_OK) {
    return rc;
  }
  if ((rc = optNumber(p, g, "drift", &rAny, &pp->drift)) != LIQ_OK) return rc;
  snprintf(zWhy, sizeof zWhy, " for model %s (annualised, e.g. 0.8)", zModel);
  rc = reqNumber(p, g, "volatility", zWhy, &rVol, &pp->volatility);
  if (rc || pp->model != LIQ_PRICE_JUMP) return rc;
  rc = reqNumber(p, g, "intensity", " for model jump (expected jumps per "
                 "year, e.g. 10)", &rNonNegative, &pp->jump_intensity);
  if (rc) return rc;
  rc = reqNumber(p, g, "jump_mean", " for model jump (mean log jump size, "
                 "e.g. -0.02)", &rJumpMean, &pp->jump_mean);
  if (rc) return rc;
  return reqNumber(p, g, "jump_sd", " for model jump (sd of the log jump "
                   "size, e.g. 0.05)", &rNonNegative, &pp->jump_sd);
}

/* garch: GARCH(1,1) per step with Student-t innovations. */
static int validateGarch(Loader *p, const config_setting_t *g,
                         liq_price_params *pp) {
  static const Range rNu = {2.0, HUGE_VAL, 1, 0};
  static const Range rMu = {-1.0, 1.0, 0, 0};       /* per step */
  static const Range rOmega = {0.0, 1.0, 1, 0};     /* per step: sd <= 100 % */
  const config_setting_t *sAlpha, *sBeta;
  int rc;
  rc = reqNumber(p, g, "start", " for model garch", &rPositive, &pp->start);
  if (rc) return rc;
  if ((rc = optNumber(p, g, "mu", &rMu, &pp->garch_mu)) != LIQ_OK) return rc;
  rc = reqNumber(p, g, "omega", " for model garch (constant of the variance "
                 "per step, e.g. 1e-7)", &rOmega, &pp->garch_omega);
  if (rc) return rc;
  rc = reqNumber(p, g, "alpha", " for model garch (weight of the last "
                 "squared return, e.g. 0.05)", &rNonNegative, &pp->garch_alpha);
  if (rc) return rc;
  rc = reqNumber(p, g, "beta", " for model garch (weight of the last "
                 "variance, e.g. 0.9)", &rNonNegative, &pp->garch_beta);
  if (rc) return rc;
  sAlpha = config_setting_get_member(g, "alpha");
  sBeta = config_setting_get_member(g, "beta");
  if (!(pp->garch_alpha + pp->garch_beta < 1.0)) {
    return badAt2(p, sAlpha, sBeta, "price.alpha + price.beta must be < 1 "
                  "(a stationary variance), got %s + %s = %s",
                  num(pp->garch_alpha).z, num(pp->garch_beta).z,
                  num(pp->garch_alpha + pp->garch_beta).z);
  }
  rc = reqNumber(p, g, "nu", " for model garch (Student-t degrees of "
                 "freedom, > 2, e.g. 5)", &rNu, &pp->garch_nu);
  if (rc) return rc;
  return optNumber(p, g, "variance0", &rPositive, &pp->garch_variance0);
}

static int validatePrice(Loader *p, const config_setting_t *g,
                         liq_price_params *pp) {
  static const Range rBlock = {1.0, HUGE_VAL, 0, 0};
  const config_setting_t *sModel;
  int rc, iModel;
  pp->drift = 0.0;
  pp->garch_mu = 0.0;
  pp->garch_variance0 = NAN;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  sModel = config_setting_get_member(g, "model");
  if (sModel == NULL) {
    rc = checkSelKeys(p, g, "model", azPriceModels, -1, aPriceKeys, aPriceNo);
    if (rc) return rc;
    return missing(p, g, "model", " (gbm, replay, jump, garch or bootstrap)");
  }
  if ((rc = chooseName(p, sModel, azPriceModels, &iModel)) != LIQ_OK) {
    return rc;
  }
  pp->model = iModel;          /* azPriceModels is in liq_price_model order */
  rc = checkSelKeys(p, g, "model", azPriceModels, iModel, aPriceKeys, aPriceNo);
  if (rc) return rc;
  switch (pp->model) {
    case LIQ_PRICE_REPLAY:
      return validateWindow(p, g, pp);
    case LIQ_PRICE_GARCH:
      return validateGarch(p, g, pp);
    case LIQ_PRICE_BOOTSTRAP:
      if ((rc = validateWindow(p, g, pp)) != LIQ_OK) return rc;
      pp->block = 20.0;
      if ((rc = optNumber(p, g, "block", &rBlock, &pp->block)) != LIQ_OK) {
        return rc;
      }
      pp->start = NAN;           /* the window's first open */
      return optNumber(p, g, "start", &rPositive, &pp->start);
    default:
      return validateDiffusion(p, g, pp);
  }
}

/* The most steps a run takes: positions and steps share the 10^8 cap, so
** a path's five arrays stay within 4 GB. */
#define MAX_STEPS 100000000LL

/* steps and step_seconds, which depend on the price model. */
static int validateSteps(Loader *p, const config_setting_t *root,
                         liq_scenario *sc) {
  /* Up to a century per step, as funding.interval_seconds. */
  static const Range rStep = {0.0, 3.2e9, 1, 0};
  const config_setting_t *sSteps = config_setting_get_member(root, "steps");
  const config_setting_t *sDt = config_setting_get_member(root, "step_seconds");
  const char *zModel = azPriceModels[sc->price.model];
  char zWhy[96];
  long long n = 0;
  int rc;
  if (sc->price.model == LIQ_PRICE_REPLAY ||
      sc->price.model == LIQ_PRICE_BOOTSTRAP) {
    if (sDt) {
      return badAt(p, sDt, "step_seconds is not used with price.model %s "
                   "(the step is the file's bar interval)", zModel);
    }
    sc->step_seconds = 0.0;    /* taken from the file */
  }
  if (sc->price.model == LIQ_PRICE_REPLAY) {
    if (sSteps && (rc = integerIn(p, sSteps, 0, MAX_STEPS, &n)) != LIQ_OK) {
      return rc;
    }
    sc->steps = (size_t)n;     /* 0: every bar in the window */
    return LIQ_OK;
  }
  if (sSteps == NULL) {
    snprintf(zWhy, sizeof zWhy, " for price.model %s", zModel);
    return missing(p, root, "steps", zWhy);
  }
  if ((rc = integerIn(p, sSteps, 1, MAX_STEPS, &n)) != LIQ_OK) return rc;
  sc->steps = (size_t)n;
  if (sc->price.model == LIQ_PRICE_BOOTSTRAP) return LIQ_OK;
  snprintf(zWhy, sizeof zWhy, " for price.model %s (e.g. 60)", zModel);
  return reqNumber(p, root, "step_seconds", zWhy, &rStep, &sc->step_seconds);
}

/* The largest |log price move| a generated path's drift may add up to,
** and likewise volatility^2 / 2: e^100 is far inside the double range
** for any sane start price. */
#define MAX_LOG_MOVE 100.0

/*
** Generated paths (gbm, jump, garch): the run, and the warm-up path of a
** history-entry book (lookback_steps steps of the same model), must fit
** the millisecond clock, and their drift and variance must keep the price
** inside the floating-point range.  Checked against the run's length, so
** that a fitted drift of short, fast bars (large per year) still loads.
*/
static int validateHorizon(Loader *p, const config_setting_t *root,
                           liq_scenario *sc) {
  const liq_price_params *pp = &sc->price;
  const config_setting_t *g = config_setting_get_member(root, "price");
  const config_setting_t *sSteps = config_setting_get_member(root, "steps");
  const config_setting_t *sDt = config_setting_get_member(root,
                                                          "step_seconds");
  const char *zLen = "steps";
  double n = (double)sc->steps, years, ms;
  if (pp->model == LIQ_PRICE_REPLAY || pp->model == LIQ_PRICE_BOOTSTRAP) {
    return LIQ_OK;
  }
  if (sc->book.file[0] == '\0' && sc->book.entry_mode == LIQ_ENTRY_HISTORY &&
      (double)sc->book.entry_lookback > n) {
    const config_setting_t *b = config_setting_get_member(root, "book");
    const config_setting_t *e = b ? config_setting_get_member(b, "entry") : NULL;
    n = (double)sc->book.entry_lookback;
    zLen = "book.entry.lookback_steps";
    if (e && config_setting_get_member(e, "lookback_steps")) {
      sSteps = config_setting_get_member(e, "lookback_steps");
    }
  }
  if (pp->model == LIQ_PRICE_GARCH) {
    const config_setting_t *sMu = config_setting_get_member(g, "mu");
    if (fabs(pp->garch_mu) * n > MAX_LOG_MOVE) {
      return badAt2(p, sMu, sSteps, "price.mu x %s must be within +-%s (a "
                    "log price move the floating-point range holds), got %s "
                    "x %s", zLen, num(MAX_LOG_MOVE).z, num(pp->garch_mu).z,
                    num(n).z);
    }
  }
  ms = n * sc->step_seconds * 1000.0;
  if (!(ms <= 9.0e18)) {
    /* the lookback when it is the longer path, else step_seconds */
    int byLookback = sSteps != config_setting_get_member(root, "steps");
    return badAt2(p, byLookback ? sSteps : sDt, byLookback ? sDt : sSteps,
                  "%s x step_seconds must be at most 9e15 s (the millisecond "
                  "clock), got %s x %s = %s s", zLen, num(n).z,
                  num(sc->step_seconds).z, num(n * sc->step_seconds).z);
  }
  if (pp->model == LIQ_PRICE_GARCH) return LIQ_OK;
  years = n * sc->step_seconds / (365.0 * 86400.0);
  if (fabs(pp->drift) * years > MAX_LOG_MOVE) {
    return badAt2(p, config_setting_get_member(g, "drift"), sSteps,
                  "price.drift x the run's length must be within +-%s (a log "
                  "price move the floating-point range holds), got %s per "
                  "year x %.4g years (%s x step_seconds)", num(MAX_LOG_MOVE).z,
                  num(pp->drift).z, years, zLen);
  }
  if (0.5 * pp->volatility * pp->volatility * years > MAX_LOG_MOVE) {
    return badAt2(p, config_setting_get_member(g, "volatility"), sSteps,
                  "price.volatility^2 / 2 x the run's length must be at most "
                  "%s (the log price's drag), got %s^2 / 2 x %.4g years (%s x "
                  "step_seconds)", num(MAX_LOG_MOVE).z,
                  num(pp->volatility).z, years, zLen);
  }
  return LIQ_OK;
}

/* Record where the settings later errors point at came from. */
static void recordWhere(Loader *p, const config_setting_t *root,
                        liq_scenario *sc) {
  const config_setting_t *g = config_setting_get_member(root, "price");
  const config_setting_t *s = g ? config_setting_get_member(g, "model") : NULL;
  const config_setting_t *b = config_setting_get_member(root, "book");
  const config_setting_t *e = b ? config_setting_get_member(b, "entry") : NULL;
  liq_scenario_where *w = &sc->where;
  w->price = whereOf(p, s ? s : g);
  s = config_setting_get_member(root, "steps");
  w->steps = s ? whereOf(p, s) : w->price;
  s = b ? config_setting_get_member(b, "leverage") : NULL;
  w->book_leverage = whereOf(p, s ? s : b);
  s = NULL;
  if (e) {
    s = config_setting_get_member(e, sc->book.entry_mode == LIQ_ENTRY_HISTORY
                                     ? "lookback_steps" : "spread");
  }
  w->book_entry = whereOf(p, s ? s : e ? e : b);
  g = config_setting_get_member(root, "impact");
  s = g ? config_setting_get_member(g, "model") : NULL;
  w->impact = whereOf(p, s ? s : g);
}

static int validateLeverage(Loader *p, const config_setting_t *g,
                            liq_book_params *bp) {
  static const char *const azKeys[] = {"values", "weights", NULL};
  static const Range rLev = {1.0, HUGE_VAL, 0, 0};
  const config_setting_t *sValues, *sWeights;
  double sum = 0.0;
  size_t i, nWeights;
  int rc;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  sValues = config_setting_get_member(g, "values");
  sWeights = config_setting_get_member(g, "weights");
  if (sValues == NULL) return missing(p, g, "values", " (e.g. [5.0, 10.0, 20.0])");
  rc = numbersIn(p, sValues, 1, LIQ_MAX_LEVERAGES, &rLev, bp->leverage,
                 &bp->n_leverage);
  if (rc) return rc;
  if (sWeights == NULL) {                   /* equal weights */
    for (i = 0; i < bp->n_leverage; i++) bp->weights[i] = 1.0;
    sum = (double)bp->n_leverage;
  } else {
    rc = numbersIn(p, sWeights, 1, LIQ_MAX_LEVERAGES, &rNonNegative,
                   bp->weights, &nWeights);
    if (rc) return rc;
    if (nWeights != bp->n_leverage) {
      return badAt2(p, sWeights, sValues,
                    "book.leverage.weights has %zu values but "
                    "book.leverage.values has %zu (one weight per leverage)",
                    nWeights, bp->n_leverage);
    }
    for (i = 0; i < nWeights; i++) sum += bp->weights[i];
    if (!(sum > 0.0)) {
      return badAt(p, sWeights, "book.leverage.weights must not all be zero");
    }
    if (!isfinite(sum)) {
      return badAt(p, sWeights, "book.leverage.weights must have a finite sum");
    }
  }
  for (i = 0; i < bp->n_leverage; i++) bp->weights[i] /= sum;
  return LIQ_OK;
}

static int validateNotional(Loader *p, const config_setting_t *g,
                            liq_book_params *bp) {
  static const char *const azDists[] = {"lognormal", "fixed", NULL};
  static const char *const azLognormal[] = {"dist", "median", "sigma", NULL};
  static const char *const azFixed[] = {"dist", "median", NULL};
  static const char *const azAll[] = {"dist", "median", "sigma", NULL};
  static const Refusal aFixedNo[] = {
    {"sigma", "is not used by dist fixed (every position's notional is the "
              "median)"},
    {NULL, NULL}};
  static const Range rSigma = {0.0, 5.0, 0, 0};
  static const Range rMedian = {0.0, 1e12, 1, 0};
  const config_setting_t *sDist;
  int rc, iDist;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  sDist = config_setting_get_member(g, "dist");
  if (sDist == NULL) {
    if ((rc = checkKeys(p, g, azAll, NULL)) != LIQ_OK) return rc;
    return missing(p, g, "dist", " (lognormal or fixed)");
  }
  if ((rc = chooseName(p, sDist, azDists, &iDist)) != LIQ_OK) return rc;
  bp->notional_dist = iDist == 0 ? LIQ_NOTIONAL_LOGNORMAL : LIQ_NOTIONAL_FIXED;
  rc = checkKeys(p, g, iDist == 0 ? azLognormal : azFixed,
                 iDist == 0 ? NULL : aFixedNo);
  if (rc) return rc;
  rc = reqNumber(p, g, "median", " (median entry notional, quote currency)",
                 &rMedian, &bp->notional_median);
  if (rc) return rc;
  bp->notional_sigma = 0.0;
  if (bp->notional_dist == LIQ_NOTIONAL_FIXED) return LIQ_OK;
  return reqNumber(p, g, "sigma", " for dist lognormal (sd of log notional)",
                   &rSigma, &bp->notional_sigma);
}

/* book.entry.from names, in liq_entry_mode order. */
static const char *const azEntryFroms[] = {"spread", "history", NULL};

static const SelKey aEntryKeys[] = {
  {"from", ALL_USERS},
  {"spread", 1u << LIQ_ENTRY_SPREAD},
  {"lookback_steps", 1u << LIQ_ENTRY_HISTORY},
  {NULL, 0}};

static int validateEntry(Loader *p, const config_setting_t *g,
                         liq_book_params *bp) {
  const config_setting_t *s;
  long long n;
  int rc, iFrom = LIQ_ENTRY_SPREAD;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "from")) != NULL &&
      (rc = chooseName(p, s, azEntryFroms, &iFrom)) != LIQ_OK) {
    return rc;
  }
  bp->entry_mode = iFrom;
  rc = checkSelKeys(p, g, "from", azEntryFroms, iFrom, aEntryKeys, NULL);
  if (rc) return rc;
  if (bp->entry_mode == LIQ_ENTRY_SPREAD) {
    return optNumber(p, g, "spread", &rUnit, &bp->entry_spread);
  }
  if ((s = config_setting_get_member(g, "lookback_steps")) == NULL) {
    return missing(p, g, "lookback_steps", " for from history (the number "
                   "of bars before the start in which positions open)");
  }
  if ((rc = integerIn(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
  bp->entry_lookback = (size_t)n;
  return LIQ_OK;
}

/* book.file: the generator's keys must be absent. */
static int validateBookFile(Loader *p, const config_setting_t *g,
                            const config_setting_t *sFile,
                            liq_book_params *bp) {
  static const char *const azGenerated[] = {"positions", "long_share",
                                            "leverage", "notional", "entry",
                                            NULL};
  int i, n = config_setting_length(g);
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    char zPath[PATH_BUF];
    if (!isOneOf(config_setting_name(m), azGenerated)) continue;
    settingPath(m, zPath, sizeof zPath);
    return badAt2(p, m, sFile, "%s comes from book.file (remove one of "
                  "them: a book is either read or generated)", zPath);
  }
  bp->positions = 0;           /* the file's row count, known when read */
  return resolveFile(p, sFile, bp->file, sizeof bp->file);
}

static int validateBook(Loader *p, const config_setting_t *g,
                        liq_book_params *bp) {
  static const char *const azKeys[] = {"positions", "long_share", "leverage",
                                       "notional", "entry", "file", NULL};
  const config_setting_t *s;
  long long n;
  int rc;
  bp->long_share = 0.5;
  bp->entry_spread = 0.0;
  bp->entry_mode = LIQ_ENTRY_SPREAD;
  bp->entry_lookback = 0;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "file")) != NULL) {
    return validateBookFile(p, g, s, bp);
  }
  if ((s = config_setting_get_member(g, "positions")) == NULL) {
    return missing(p, g, "positions", " (number of positions, e.g. 100000; "
                   "or book.file)");
  }
  if ((rc = integerIn(p, s, 1, 100000000, &n)) != LIQ_OK) return rc;
  bp->positions = (size_t)n;
  if ((rc = optNumber(p, g, "long_share", &rUnit, &bp->long_share)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "leverage")) == NULL) {
    return missing(p, g, "leverage", " (leverage = { values = [...]; "
                   "weights = [...]; })");
  }
  if ((rc = validateLeverage(p, s, bp)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "notional")) == NULL) {
    return missing(p, g, "notional", " (notional = { dist = \"lognormal\"; "
                   "median = ...; sigma = ...; })");
  }
  if ((rc = validateNotional(p, s, bp)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "entry")) != NULL) {
    return validateEntry(p, s, bp);
  }
  return LIQ_OK;
}

/* The index of the first element of a[0..n) not above its predecessor,
** or 0 when a is strictly increasing. */
static size_t firstNotIncreasing(const double *a, size_t n) {
  size_t i;
  for (i = 1; i < n; i++) {
    if (!(a[i] > a[i - 1])) return i;
  }
  return 0;
}

/*
** margin.tiers: a list of 1..LIQ_MAX_TIERS brackets, floors from 0
** strictly up, max_leverage non-increasing, rates non-decreasing and below
** 1/max_leverage.  Amounts left out are computed for continuity.
*/
static int validateTiers(Loader *p, const config_setting_t *s,
                         liq_margin_params *mp) {
  static const char *const azKeys[] = {"floor", "max_leverage", "maintenance",
                                       "amount", NULL};
  static const Range rLev = {1.0, HUGE_VAL, 0, 0};
  int aGiven[LIQ_MAX_TIERS];
  int i, n, rc;
  if (!config_setting_is_list(s)) {
    return badAt(p, s, "margin.tiers must be a list of groups ( { floor = ...; "
                 "max_leverage = ...; maintenance = ...; }, ... ), got %s",
                 typeName(s));
  }
  n = config_setting_length(s);
  if (n < 1 || n > LIQ_MAX_TIERS) {
    return badAt(p, s, "margin.tiers must have 1 to %d tiers, got %d",
                 LIQ_MAX_TIERS, n);
  }
  for (i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    const config_setting_t *m;
    liq_tier *t = &mp->tiers[i];
    const liq_tier *prev = i > 0 ? &mp->tiers[i - 1] : NULL;
    char zPath[PATH_BUF];
    if ((rc = needGroup(p, e)) != LIQ_OK) return rc;
    if ((rc = checkKeys(p, e, azKeys, NULL)) != LIQ_OK) return rc;
    rc = reqNumber(p, e, "floor", " (notional floor of the bracket, quote "
                   "currency; the first is 0)", &rNonNegative, &t->floor);
    if (rc) return rc;
    m = config_setting_get_member(e, "floor");
    settingPath(m, zPath, sizeof zPath);
    if (prev == NULL && t->floor != 0.0) {
      return badAt(p, m, "%s must be 0 (the first bracket starts at notional "
                   "0), got %s", zPath, num(t->floor).z);
    }
    if (prev && !(t->floor > prev->floor)) {
      return badAt(p, m, "%s must be above margin.tiers[%d].floor (%s), got %s "
                   "(floors strictly increasing)", zPath, i - 1,
                   num(prev->floor).z, num(t->floor).z);
    }
    rc = reqNumber(p, e, "max_leverage", " (leverage cap of the bracket, "
                   ">= 1)", &rLev, &t->max_leverage);
    if (rc) return rc;
    m = config_setting_get_member(e, "max_leverage");
    settingPath(m, zPath, sizeof zPath);
    if (prev && t->max_leverage > prev->max_leverage) {
      return badAt(p, m, "%s must not be above margin.tiers[%d].max_leverage "
                   "(%s), got %s (caps non-increasing)", zPath, i - 1,
                   num(prev->max_leverage).z, num(t->max_leverage).z);
    }
    rc = reqNumber(p, e, "maintenance", " (maintenance margin rate of the "
                   "bracket)", &rAny, &t->maintenance);
    if (rc) return rc;
    m = config_setting_get_member(e, "maintenance");
    settingPath(m, zPath, sizeof zPath);
    if (!(t->maintenance > 0.0 && t->maintenance < 1.0 / t->max_leverage)) {
      return badAt(p, m, "%s must be in (0, 1/max_leverage = %s), got %s",
                   zPath, num(1.0 / t->max_leverage).z, num(t->maintenance).z);
    }
    if (prev && t->maintenance < prev->maintenance) {
      return badAt(p, m, "%s must not be below margin.tiers[%d].maintenance "
                   "(%s), got %s (rates non-decreasing)", zPath, i - 1,
                   num(prev->maintenance).z, num(t->maintenance).z);
    }
    aGiven[i] = (m = config_setting_get_member(e, "amount")) != NULL;
    if (aGiven[i] && (rc = numberIn(p, m, &rNonNegative, &t->amount)) != 0) {
      return rc;
    }
  }
  mp->n_tiers = (size_t)n;
  liq_margin_complete_tiers(mp, aGiven);
  for (i = 0; i < n; i++) {
    const liq_tier *t = &mp->tiers[i];
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if (aGiven[i] && t->amount > t->maintenance * t->floor) {
      const config_setting_t *m = config_setting_get_member(e, "amount");
      char zPath[PATH_BUF];
      settingPath(m, zPath, sizeof zPath);
      return badAt(p, m, "%s must be <= maintenance * floor (%s) so that the "
                   "maintenance margin is not negative at the bracket's "
                   "floor, got %s", zPath,
                   num(t->maintenance * t->floor).z, num(t->amount).z);
    }
  }
  return LIQ_OK;
}

/* margin.partial.mode names, in liq_partial_mode order. */
static const char *const azPartialModes[] = {"none", "restore", "chunk", NULL};

static const SelKey aPartialKeys[] = {
  {"mode", ALL_USERS},
  {"buffer", 1u << LIQ_PARTIAL_RESTORE},
  {"share", 1u << LIQ_PARTIAL_CHUNK},
  {"cooldown_steps", 1u << LIQ_PARTIAL_CHUNK},
  {NULL, 0}};

static int validatePartial(Loader *p, const config_setting_t *g,
                           liq_margin_params *mp) {
  /* (0, 10]: with no buffer the rest would sit exactly on the line, and
  ** rounding would decide whether it is hit again. */
  static const Range rBuffer = {0.0, 10.0, 1, 0};
  static const Range rShare = {0.0, 1.0, 1, 0};
  const config_setting_t *s;
  long long n;
  int rc, iMode;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "mode")) == NULL) {
    rc = checkSelKeys(p, g, "mode", azPartialModes, -1, aPartialKeys, NULL);
    if (rc) return rc;
    return missing(p, g, "mode", " (none, restore or chunk)");
  }
  if ((rc = chooseName(p, s, azPartialModes, &iMode)) != LIQ_OK) {
    return rc;
  }
  mp->partial_mode = iMode;
  rc = checkSelKeys(p, g, "mode", azPartialModes, iMode, aPartialKeys, NULL);
  if (rc) return rc;
  if (iMode == LIQ_PARTIAL_RESTORE) {
    mp->partial_buffer = 0.1;
    return optNumber(p, g, "buffer", &rBuffer, &mp->partial_buffer);
  }
  if (iMode != LIQ_PARTIAL_CHUNK) return LIQ_OK;
  rc = reqNumber(p, g, "share", " for mode chunk (share of the position "
                 "closed per liquidation, e.g. 0.25)", &rShare,
                 &mp->partial_share);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "cooldown_steps")) != NULL) {
    if ((rc = integerIn(p, s, 0, INT_MAX, &n)) != LIQ_OK) return rc;
    mp->partial_cooldown = (int)n;
  }
  return LIQ_OK;
}

static int validateTopup(Loader *p, const config_setting_t *g,
                         liq_margin_params *mp) {
  static const char *const azKeys[] = {"share", "delay_steps", NULL};
  const config_setting_t *s;
  long long n;
  int rc;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  rc = reqNumber(p, g, "share", " (share of called traders who add "
                 "collateral back to the initial margin, e.g. 0.3)", &rUnit,
                 &mp->topup_share);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "delay_steps")) != NULL) {
    if ((rc = integerIn(p, s, 0, INT_MAX, &n)) != LIQ_OK) return rc;
    mp->topup_delay = (int)n;
  }
  return LIQ_OK;
}

static int validateMargin(Loader *p, const config_setting_t *g,
                          liq_margin_params *mp) {
  static const char *const azKeys[] = {"initial", "maintenance", "call_level",
                                       "liquidation_fee", "tiers", "partial",
                                       "topup", NULL};
  static const Range rInitial = {0.0, 1.0, 1, 0};
  static const Range rFee = {0.0, 0.1, 0, 0};
  const config_setting_t *sInit, *sMaint, *sCall, *sTiers, *s;
  const char *zMaint = "margin.maintenance";
  double lo;
  int rc;
  mp->n_tiers = 0;
  mp->partial_mode = LIQ_PARTIAL_NONE;
  mp->partial_buffer = 0.0;
  mp->partial_share = 0.0;
  mp->partial_cooldown = 0;
  mp->topup_share = 0.0;
  mp->topup_delay = 0;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  sInit = config_setting_get_member(g, "initial");
  sMaint = config_setting_get_member(g, "maintenance");
  sCall = config_setting_get_member(g, "call_level");
  sTiers = config_setting_get_member(g, "tiers");
  if (sInit == NULL) return missing(p, g, "initial", " (rate in (0, 1], e.g. 0.01)");
  if ((rc = numberIn(p, sInit, &rInitial, &mp->initial)) != LIQ_OK) return rc;
  if (sTiers && sMaint) {
    return badAt2(p, sMaint, sTiers, "margin.maintenance must not be set with "
                  "margin.tiers (tiers replace the flat maintenance rate)");
  }
  if (sTiers) {
    if ((rc = validateTiers(p, sTiers, mp)) != LIQ_OK) return rc;
    /* The first tier's rate stands in for the flat rate below. */
    sMaint = config_setting_get_member(config_setting_get_elem(sTiers, 0),
                                       "maintenance");
    zMaint = "margin.tiers[0].maintenance";
  } else if (sMaint == NULL) {
    return missing(p, g, "maintenance", " (rate in (0, margin.initial), "
                   "e.g. 0.005; or margin.tiers)");
  } else {
    if ((rc = numberIn(p, sMaint, &rAny, &mp->maintenance)) != LIQ_OK) return rc;
    if (!(mp->maintenance > 0.0)) {
      return badAt(p, sMaint, "margin.maintenance must be in (0, "
                   "margin.initial), got %s", num(mp->maintenance).z);
    }
  }
  if (!(mp->maintenance < mp->initial)) {
    return badAt2(p, sMaint, sInit, "%s must be below margin.initial (%s), "
                  "got %s", zMaint, num(mp->initial).z,
                  num(mp->maintenance).z);
  }
  mp->call_level = 1.0;
  if (sCall && (rc = numberIn(p, sCall, &rAny, &mp->call_level)) != LIQ_OK) {
    return rc;
  }
  lo = mp->maintenance / mp->initial;
  if (!(mp->call_level >= lo)) {
    return badAt2(p, sCall ? sCall : g, sCall ? sMaint : NULL,
                  "margin.call_level must be >= %s / margin.initial (%s), "
                  "got %s", zMaint, num(lo).z, num(mp->call_level).z);
  }
  if (!(mp->call_level * mp->initial <= 1.0)) {
    return badAt2(p, sCall ? sCall : g, sInit,
                  "margin.call_level * margin.initial must be <= 1 (a call "
                  "level above the whole notional), got %s",
                  num(mp->call_level * mp->initial).z);
  }
  mp->liquidation_fee = 0.0;
  rc = optNumber(p, g, "liquidation_fee", &rFee, &mp->liquidation_fee);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "partial")) != NULL &&
      (rc = validatePartial(p, s, mp)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "topup")) != NULL) {
    return validateTopup(p, s, mp);
  }
  return LIQ_OK;
}

/* impact.model names, in liq_impact_model order. */
static const char *const azImpactModels[] = {"none", "linear", "sqrt", "depth",
                                             NULL};

#define I_LINEAR (1u << LIQ_IMPACT_LINEAR)
#define I_SQRT   (1u << LIQ_IMPACT_SQRT)
#define I_DEPTH  (1u << LIQ_IMPACT_DEPTH)

static const SelKey aImpactKeys[] = {
  {"model", ALL_USERS},
  {"daily_volume", I_LINEAR | I_SQRT},
  {"coefficient", I_LINEAR | I_SQRT},
  {"daily_volatility", I_SQRT},
  {"depth", I_DEPTH},
  {"depth_file", I_DEPTH},
  {"max_rounds", ALL_USERS},
  {"half_life_seconds", I_LINEAR | I_SQRT | I_DEPTH},
  {NULL, 0}};

static const Range rDepthPct = {0.0, 100.0, 1, 1};   /* (0, 100) */

/* impact.depth = { pct = [...]; bid = [...]; ask = [...]; } */
static int validateDepth(Loader *p, const config_setting_t *g,
                         liq_impact_params *ip) {
  static const char *const azKeys[] = {"pct", "bid", "ask", NULL};
  static const char *const azWhy[] = {
    " (percent distances from the price, increasing, e.g. [0.1, 0.5, 1.0])",
    " (cumulative bid notional within each pct, increasing)",
    " (cumulative ask notional within each pct, increasing)"};
  double *aCol[3];
  const config_setting_t *aS[3];
  size_t aN[3];
  int rc, c;
  aCol[0] = ip->depth_pct;
  aCol[1] = ip->depth_bid;
  aCol[2] = ip->depth_ask;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  for (c = 0; c < 3; c++) {
    size_t i;
    if ((aS[c] = config_setting_get_member(g, azKeys[c])) == NULL) {
      return missing(p, g, azKeys[c], azWhy[c]);
    }
    rc = numbersIn(p, aS[c], 1, LIQ_MAX_DEPTH, c == 0 ? &rDepthPct : &rPositive,
                   aCol[c], &aN[c]);
    if (rc) return rc;
    if (c > 0 && aN[c] != aN[0]) {
      return badAt2(p, aS[c], aS[0], "impact.depth.%s has %zu values but "
                    "impact.depth.pct has %zu (one notional per pct)",
                    azKeys[c], aN[c], aN[0]);
    }
    if ((i = firstNotIncreasing(aCol[c], aN[c])) != 0) {
      const config_setting_t *e = config_setting_get_elem(aS[c], (unsigned)i);
      return badAt(p, e, "impact.depth.%s must be strictly increasing, but "
                   "impact.depth.%s[%zu] = %s follows %s", azKeys[c],
                   azKeys[c], i, num(aCol[c][i]).z, num(aCol[c][i - 1]).z);
    }
  }
  ip->n_depth = aN[0];
  return LIQ_OK;
}

static int equalsNoCase(const char *a, const char *b);
static char *trim(char *z);

/*
** impact.depth_file: a CSV of rows pct,bid,ask (an optional header row
** "pct,bid,ask" first; blank lines and lines starting with '#' are
** skipped), with the rules of impact.depth.  Errors are located at the
** CSV's FILE:LINE.
*/
static int readDepthFile(Loader *p, const config_setting_t *s,
                         liq_impact_params *ip) {
  static const char *const azCol[] = {"pct", "bid", "ask"};
  char zFile[LIQ_PATH_MAX], zLine[1024];
  int iLine = 0, rc = LIQ_OK;
  size_t n = 0;
  FILE *f;
  if ((rc = resolveFile(p, s, zFile, sizeof zFile)) != LIQ_OK) return rc;
  if ((f = fopen(zFile, "r")) == NULL) {
    return badAt(p, s, "impact.depth_file \"%s\" cannot be opened: %s", zFile,
                 strerror(errno));
  }
  while (rc == LIQ_OK && fgets(zLine, sizeof zLine, f) != NULL) {
    char *azField[4], *z = zLine;
    double aV[3];
    size_t len = strlen(zLine);
    int nField = 0, c;
    iLine++;
    if (len == sizeof zLine - 1 && zLine[len - 1] != '\n' && !feof(f)) {
      rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "line is too long (at "
                    "most %zu bytes; expected pct,bid,ask)", sizeof zLine - 2);
      break;
    }
    if (iLine == 1 && strncmp(zLine, "\xEF\xBB\xBF", 3) == 0) {
      memmove(zLine, zLine + 3, len - 2);      /* a UTF-8 byte-order mark */
    }
    z = trim(zLine);
    if (z[0] == '\0' || z[0] == '#') continue;
    while (nField < 4) {
      char *zComma = strchr(z, ',');
      azField[nField++] = z;
      if (zComma == NULL) break;
      *zComma = '\0';
      z = zComma + 1;
    }
    if (nField != 3) {
      rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "expected 3 fields "
                    "pct,bid,ask, got %s", nField > 3 ? "more" : nField == 2
                    ? "2" : "1");
      break;
    }
    for (c = 0; c < 3; c++) azField[c] = trim(azField[c]);
    if (n == 0 && equalsNoCase(azField[0], "pct") &&
        equalsNoCase(azField[1], "bid") && equalsNoCase(azField[2], "ask")) {
      continue;                  /* the header */
    }
    for (c = 0; c < 3 && rc == LIQ_OK; c++) {
      char *zEnd;
      const Range *r = c == 0 ? &rDepthPct : &rPositive;
      errno = 0;
      aV[c] = strtod(azField[c], &zEnd);
      if (azField[c][0] == '\0' || *zEnd != '\0') {
        rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "%s \"%s\" is not a "
                      "number%s", azCol[c], azField[c], n == 0 && c == 0
                      ? " (the header, if any, must be pct,bid,ask)" : "");
      } else if (!isfinite(aV[c])) {
        rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "%s must be finite, "
                      "got %s", azCol[c], azField[c]);
      } else if (!(r->loOpen ? aV[c] > r->lo : aV[c] >= r->lo) ||
                 !(r->hiOpen ? aV[c] < r->hi : aV[c] <= r->hi)) {
        rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, c == 0
                      ? "%s must be in (0, 100), got %s"
                      : "%s must be > 0, got %s", azCol[c], num(aV[c]).z);
      } else if (n > 0) {
        const double *aPrev = c == 0 ? ip->depth_pct : c == 1 ? ip->depth_bid
                                                              : ip->depth_ask;
        if (!(aV[c] > aPrev[n - 1])) {
          rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "%s must be strictly "
                        "increasing, but %s follows %s", azCol[c],
                        num(aV[c]).z, num(aPrev[n - 1]).z);
        }
      }
    }
    if (rc != LIQ_OK) break;
    if (n == LIQ_MAX_DEPTH) {
      rc = liq_errf(p->err, LIQ_INPUT, zFile, iLine, "too many depth points "
                    "(at most %d)", LIQ_MAX_DEPTH);
      break;
    }
    ip->depth_pct[n] = aV[0];
    ip->depth_bid[n] = aV[1];
    ip->depth_ask[n] = aV[2];
    n++;
  }
  if (rc == LIQ_OK && ferror(f)) {
    rc = badAt(p, s, "impact.depth_file \"%s\" cannot be read: %s", zFile,
               strerror(errno));
  }
  fclose(f);
  if (rc == LIQ_OK && n == 0) {
    rc = badAt(p, s, "impact.depth_file \"%s\" has no depth points (expected "
               "rows pct,bid,ask)", zFile);
  }
  ip->n_depth = n;
  return rc;
}

static int validateImpact(Loader *p, const config_setting_t *g,
                          liq_impact_params *ip) {
  const config_setting_t *s, *sFile;
  long long n;
  int rc, iModel;
  ip->model = LIQ_IMPACT_NONE;
  ip->daily_volume = 0.0;
  ip->coefficient = 0.0;
  ip->daily_volatility = NAN;
  ip->max_rounds = 100;
  ip->half_life_seconds = 0.0;
  ip->permanent = 0.0;
  ip->n_depth = 0;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "model")) == NULL) {
    rc = checkSelKeys(p, g, "model", azImpactModels, -1, aImpactKeys, NULL);
    if (rc) return rc;
    return missing(p, g, "model", " (none, linear, sqrt or depth)");
  }
  if ((rc = chooseName(p, s, azImpactModels, &iModel)) != LIQ_OK) {
    return rc;
  }
  ip->model = iModel;          /* azImpactModels is in liq_impact_model order */
  rc = checkSelKeys(p, g, "model", azImpactModels, iModel, aImpactKeys, NULL);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "max_rounds")) != NULL) {
    if ((rc = integerIn(p, s, 1, 100000, &n)) != LIQ_OK) return rc;
    ip->max_rounds = (int)n;
  }
  rc = optNumber(p, g, "half_life_seconds", &rNonNegative,
                 &ip->half_life_seconds);
  if (rc || ip->model == LIQ_IMPACT_NONE) return rc;
  if (ip->model == LIQ_IMPACT_DEPTH) {
    s = config_setting_get_member(g, "depth");
    sFile = config_setting_get_member(g, "depth_file");
    if (s && sFile) {
      return badAt2(p, sFile, s, "impact.depth and impact.depth_file exclude "
                    "each other (give the curve inline or in a file)");
    }
    if (sFile) return readDepthFile(p, sFile, ip);
    if (s == NULL) {
      return missing(p, g, "depth", " for model depth (depth = { pct = "
                     "[...]; bid = [...]; ask = [...]; } or depth_file = "
                     "\"depth.csv\")");
    }
    return validateDepth(p, s, ip);
  }
  rc = reqNumber(p, g, "daily_volume", ip->model == LIQ_IMPACT_LINEAR
                 ? " for model linear (quote notional per day)"
                 : " for model sqrt (quote notional per day)",
                 &rPositive, &ip->daily_volume);
  if (rc) return rc;
  rc = reqNumber(p, g, "coefficient", ip->model == LIQ_IMPACT_LINEAR
                 ? " for model linear (k)" : " for model sqrt (Y, about 0.5-1)",
                 &rNonNegative, &ip->coefficient);
  if (rc) return rc;
  return optNumber(p, g, "daily_volatility", &rPositive, &ip->daily_volatility);
}

/* insurance.policy names, in liq_insurance_policy order. */
static const char *const azPolicies[] = {"none", "adl-ranked", "adl-prorata",
                                         "socialize", NULL};

static int validateInsurance(Loader *p, const config_setting_t *g,
                             liq_insurance_params *ins) {
  static const char *const azKeys[] = {"fund", "policy", NULL};
  const config_setting_t *s;
  int rc, iPolicy;
  ins->fund = 0.0;
  ins->policy = LIQ_POLICY_NONE;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((rc = optNumber(p, g, "fund", &rNonNegative, &ins->fund)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "policy")) != NULL) {
    if ((rc = chooseName(p, s, azPolicies, &iPolicy)) != LIQ_OK) return rc;
    ins->policy = iPolicy;     /* azPolicies is in liq_insurance_policy order */
  }
  return LIQ_OK;
}

/* funding: a constant rate per interval, or a file of payments (replay). */
static int validateFunding(Loader *p, const config_setting_t *g,
                           const liq_price_params *pp,
                           liq_funding_params *fp) {
  static const char *const azKeys[] = {"rate", "interval_seconds", "file",
                                       NULL};
  static const Range rRate = {-0.1, 0.1, 1, 1};
  const config_setting_t *sRate, *sFile, *sInterval;
  int rc;
  fp->mode = LIQ_FUNDING_NONE;
  fp->rate = 0.0;
  fp->interval_seconds = 28800.0;
  fp->file[0] = '\0';
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  sRate = config_setting_get_member(g, "rate");
  sFile = config_setting_get_member(g, "file");
  sInterval = config_setting_get_member(g, "interval_seconds");
  if (sRate && sFile) {
    return badAt2(p, sFile, sRate, "funding.rate and funding.file exclude "
                  "each other (a constant rate, or payments from a file)");
  }
  if (sFile) {
    if (sInterval) {
      return badAt(p, sInterval, "funding.interval_seconds is only used with "
                   "funding.rate (the file gives each payment's time)");
    }
    if (pp->model != LIQ_PRICE_REPLAY) {
      return badAt(p, sFile, "funding.file needs a replay price path "
                   "(price.model is %s; use funding.rate)",
                   azPriceModels[pp->model]);
    }
    if ((rc = resolveFile(p, sFile, fp->file, sizeof fp->file)) != LIQ_OK) {
      return rc;
    }
    fp->mode = LIQ_FUNDING_FILE;
    return LIQ_OK;
  }
  if (sRate == NULL) {
    return missing(p, g, "rate", " (funding = { rate = 0.0001; } per "
                   "interval, or { file = \"funding.csv\"; })");
  }
  if ((rc = numberIn(p, sRate, &rRate, &fp->rate)) != LIQ_OK) return rc;
  fp->mode = LIQ_FUNDING_CONSTANT;
  {
    /* One second to a century: funding events are placed in milliseconds. */
    static const Range rInterval = {1.0, 3.2e9, 0, 0};
    return optNumber(p, g, "interval_seconds", &rInterval, &fp->interval_seconds);
  }
}

static int validateQuantiles(Loader *p, const config_setting_t *s,
                             liq_stats_params *st) {
  char zPath[PATH_BUF], zA[32], zB[32];
  size_t i;
  int rc = numbersIn(p, s, 0, LIQ_MAX_QUANTILES, &rOpenUnit, st->quantiles,
                     &st->n_quantiles);
  if (rc) return rc;
  for (i = 1; i < st->n_quantiles; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    settingPath(e, zPath, sizeof zPath);
    if (!(st->quantiles[i] > st->quantiles[i - 1])) {
      return badAt(p, e, "stats.quantiles must be strictly increasing, but "
                   "%s = %s follows %s", zPath, num(st->quantiles[i]).z,
                   num(st->quantiles[i - 1]).z);
    }
    liq_quantile_label(st->quantiles[i - 1], zA, sizeof zA);
    liq_quantile_label(st->quantiles[i], zB, sizeof zB);
    if (strcmp(zA, zB) == 0) {
      return badAt(p, e, "%s = %s has the same column name (cushion_%s) as "
                   "%s (quantiles need distinct labels to 0.0001 %%)", zPath,
                   num(st->quantiles[i]).z, zB, num(st->quantiles[i - 1]).z);
    }
  }
  return LIQ_OK;
}

static int validateStats(Loader *p, const config_setting_t *g,
                         liq_stats_params *st) {
  static const char *const azKeys[] = {"quantiles", "every", "steps",
                                       "events", NULL};
  static const double aDefault[] = {0.01, 0.05, 0.25, 0.5};
  const config_setting_t *s;
  long long n;
  int rc;
  st->n_quantiles = sizeof aDefault / sizeof aDefault[0];
  memcpy(st->quantiles, aDefault, sizeof aDefault);
  st->every = 1;
  st->steps = 1;
  st->events = 1;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "quantiles")) != NULL &&
      (rc = validateQuantiles(p, s, st)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "every")) != NULL) {
    if ((rc = integerIn(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
    st->every = (int)n;
  }
  if ((s = config_setting_get_member(g, "steps")) != NULL &&
      (rc = boolOf(p, s, &st->steps)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "events")) != NULL &&
      (rc = boolOf(p, s, &st->events)) != LIQ_OK) {
    return rc;
  }
  return LIQ_OK;
}

/* The numeric scalars a sweep grid or a calibration may vary; isInt: the
** key takes whole numbers only. */
typedef struct NumericKey {
  const char *zKey;
  int isInt;
} NumericKey;

static const NumericKey aNumericKeys[] = {
  {"seed", 1}, {"steps", 1}, {"step_seconds", 0},
  {"price.start", 0}, {"price.drift", 0}, {"price.volatility", 0},
  {"price.intensity", 0}, {"price.jump_mean", 0}, {"price.jump_sd", 0},
  {"price.mu", 0}, {"price.omega", 0}, {"price.alpha", 0},
  {"price.beta", 0}, {"price.nu", 0}, {"price.variance0", 0},
  {"price.block", 0},
  {"book.positions", 1}, {"book.long_share", 0}, {"book.notional.median", 0},
  {"book.notional.sigma", 0}, {"book.entry.spread", 0},
  {"book.entry.lookback_steps", 1},
  {"margin.initial", 0}, {"margin.maintenance", 0}, {"margin.call_level", 0},
  {"margin.liquidation_fee", 0},
  {"margin.partial.buffer", 0}, {"margin.partial.share", 0},
  {"margin.partial.cooldown_steps", 1},
  {"margin.topup.share", 0}, {"margin.topup.delay_steps", 1},
  {"funding.rate", 0}, {"funding.interval_seconds", 0},
  {"impact.daily_volume", 0}, {"impact.coefficient", 0},
  {"impact.daily_volatility", 0}, {"impact.max_rounds", 1},
  {"impact.half_life_seconds", 0},
  {"insurance.fund", 0}, {"stats.every", 1},
  {NULL, 0}};

static const NumericKey *numericKey(const char *zKey) {
  const NumericKey *k;
  for (k = aNumericKeys; zKey && k->zKey; k++) {
    if (strcmp(k->zKey, zKey) == 0) return k;
  }
  return NULL;
}

int liq_scenario_is_sweep_key(const char *key) {
  return numericKey(key) != NULL;
}

/* A string naming one of aNumericKeys. */
static int numericKeyOf(Loader *p, const config_setting_t *s,
                        const NumericKey **pk) {
  char zPath[PATH_BUF];
  const char *z = NULL;
  int rc = stringOf(p, s, &z);
  if (rc) return rc;
  if ((*pk = numericKey(z)) != NULL) return LIQ_OK;
  settingPath(s, zPath, sizeof zPath);
  return badAt(p, s, "%s \"%s\" is not a numeric scenario key (expected a "
               "--set path such as \"margin.initial\" or \"book.positions\")",
               zPath, z);
}

/* 'v' rounded to 15 significant digits: 0.1 + 2 * 0.1 gives 0.3. */
static double round15(double v) {
  char z[40];
  snprintf(z, sizeof z, "%.15g", v);
  return strtod(z, NULL);
}

/* A value of an integer key must be whole. */
static int wholeFor(Loader *p, const config_setting_t *s, const NumericKey *k,
                    double v) {
  char zPath[PATH_BUF];
  if (!k->isInt || v == floor(v)) return LIQ_OK;
  settingPath(s, zPath, sizeof zPath);
  return badAt(p, s, "%s must be a whole number (%s takes integers), got %s",
               zPath, k->zKey, num(v).z);
}

/* range = [from, to, step]: from, from + step, ... up to to (inclusive,
** with a tolerance of 1e-9 steps). */
static int expandRange(Loader *p, const config_setting_t *s,
                       const NumericKey *k, liq_sweep_axis *ax) {
  char zPath[PATH_BUF];
  double a[3], count;
  size_t n, i;
  int rc;
  settingPath(s, zPath, sizeof zPath);
  if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
      config_setting_length(s) != 3) {
    return badAt(p, s, "%s must be [from, to, step], got %s", zPath,
                 config_setting_is_array(s) || config_setting_is_list(s)
                 ? "another number of values" : typeName(s));
  }
  for (i = 0; i < 3; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if ((rc = numberIn(p, e, &rAny, &a[i])) != LIQ_OK) return rc;
    if (i != 1 && (rc = wholeFor(p, e, k, a[i])) != LIQ_OK) return rc;
  }
  if (!(a[2] > 0.0)) {
    return badAt(p, config_setting_get_elem(s, 2), "%s step must be > 0, got "
                 "%s", zPath, num(a[2]).z);
  }
  if (!(a[0] <= a[1])) {
    return badAt(p, s, "%s from (%s) must not be above to (%s)", zPath,
                 num(a[0]).z, num(a[1]).z);
  }
  count = floor((a[1] - a[0]) / a[2] + 1e-9) + 1.0;
  if (!(count <= (double)LIQ_MAX_AXIS_VALUES)) {
    return badAt(p, s, "%s gives %s values, at most %d per axis", zPath,
                 num(count).z, LIQ_MAX_AXIS_VALUES);
  }
  n = (size_t)count;
  for (i = 0; i < n; i++) ax->values[i] = round15(a[0] + (double)i * a[2]);
  ax->n_values = n;
  return LIQ_OK;
}

/* One grid entry: { key = "..."; values = [...]; } or { key; range; }. */
static int validateGridEntry(Loader *p, const config_setting_t *e,
                             liq_sweep_axis *ax) {
  static const char *const azKeys[] = {"key", "values", "range", NULL};
  const config_setting_t *s, *sValues, *sRange;
  const NumericKey *k;
  size_t i;
  int rc;
  if ((rc = needGroup(p, e)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, e, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(e, "key")) == NULL) {
    return missing(p, e, "key", " (e.g. \"margin.initial\")");
  }
  if ((rc = numericKeyOf(p, s, &k)) != LIQ_OK) return rc;
  snprintf(ax->key, sizeof ax->key, "%s", k->zKey);
  sValues = config_setting_get_member(e, "values");
  sRange = config_setting_get_member(e, "range");
  if (sValues && sRange) {
    char zPath[PATH_BUF];
    settingPath(e, zPath, sizeof zPath);
    return badAt(p, sRange, "%s takes values or range, not both", zPath);
  }
  if (sRange) return expandRange(p, sRange, k, ax);
  if (sValues == NULL) {
    return missing(p, e, "values", " (values = [0.01, 0.02]; or range = "
                   "[from, to, step];)");
  }
  rc = numbersIn(p, sValues, 1, LIQ_MAX_AXIS_VALUES, &rAny, ax->values,
                 &ax->n_values);
  if (rc) return rc;
  for (i = 0; i < ax->n_values; i++) {
    rc = wholeFor(p, config_setting_get_elem(sValues, (unsigned)i), k,
                  ax->values[i]);
    if (rc) return rc;
  }
  return LIQ_OK;
}

/* At most LIQ_MAX_SWEEP_TASKS tasks (grid points x replicates), so that
** `check` and `sweep` agree and the error has a line. */
#define LIQ_MAX_SWEEP_TASKS 100000000.0
static int checkSweepSize(Loader *p, const config_setting_t *g,
                          const liq_sweep_params *sw) {
  double points = 1.0;
  size_t i;
  if (sw->zip && sw->n_axes > 0) points = (double)sw->axes[0].n_values;
  else for (i = 0; i < sw->n_axes; i++) points *= (double)sw->axes[i].n_values;
  if (points * (double)sw->replicates > LIQ_MAX_SWEEP_TASKS)
    return badAt(p, g, "sweep has %.0f grid points x %zu replicates = %.0f tasks, "
                 "at most %.0f", points, sw->replicates,
                 points * (double)sw->replicates, LIQ_MAX_SWEEP_TASKS);
  return LIQ_OK;
}

/*
** sweep: replicates, mode and the grid's axes.  Each value is checked for
** its type only; the sweep loads the scenario with each grid point as
** --set overrides, which validates it fully.
*/
static int validateSweep(Loader *p, const config_setting_t *g,
                         liq_sweep_params *sw) {
  static const char *const azKeys[] = {"replicates", "grid", "mode", NULL};
  static const char *const azModes[] = {"product", "zip", NULL};
  const config_setting_t *s, *sGrid;
  long long n;
  int rc, i, iMode = 0, nAxes;
  memset(sw, 0, sizeof *sw);
  sw->replicates = 1;
  if (g == NULL) return LIQ_OK;
  sw->present = 1;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "replicates")) != NULL) {
    if ((rc = integerIn(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
    sw->replicates = (size_t)n;
  }
  if ((s = config_setting_get_member(g, "mode")) != NULL &&
      (rc = chooseName(p, s, azModes, &iMode)) != LIQ_OK) {
    return rc;
  }
  sw->zip = iMode == 1;
  if ((sGrid = config_setting_get_member(g, "grid")) == NULL) return LIQ_OK;
  if (!config_setting_is_list(sGrid)) {
    return badAt(p, sGrid, "sweep.grid must be a list of groups ( { key = "
                 "...; values = [...]; }, ... ), got %s", typeName(sGrid));
  }
  nAxes = config_setting_length(sGrid);
  if (nAxes > LIQ_MAX_AXES) {
    return badAt(p, config_setting_get_elem(sGrid, LIQ_MAX_AXES),
                 "sweep.grid has %d axes, at most %d", nAxes, LIQ_MAX_AXES);
  }
  for (i = 0; i < nAxes; i++) {
    const config_setting_t *e = config_setting_get_elem(sGrid, (unsigned)i);
    liq_sweep_axis *ax = &sw->axes[i];
    int j;
    if ((rc = validateGridEntry(p, e, ax)) != LIQ_OK) return rc;
    for (j = 0; j < i; j++) {
      if (strcmp(ax->key, sw->axes[j].key) == 0) {
        return badAt(p, e, "sweep.grid[%d] repeats key \"%s\" of "
                     "sweep.grid[%d]", i, ax->key, j);
      }
    }
    if (sw->zip && i > 0 && ax->n_values != sw->axes[0].n_values) {
      return badAt(p, e, "sweep.grid[%d] has %zu values but sweep.grid[0] has "
                   "%zu (mode zip pairs values one to one)", i, ax->n_values,
                   sw->axes[0].n_values);
    }
    sw->n_axes = (size_t)i + 1;
  }
  return checkSweepSize(p, g, sw);
}

/* calibrate: shape only (the calibrate command reads it). */
static int validateCalibrate(Loader *p, const config_setting_t *g) {
  static const char *const azKeys[] = {"key", "target", "max", NULL};
  const config_setting_t *s;
  const NumericKey *k;
  const char *z = NULL;
  double v;
  int rc;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "key")) == NULL) {
    return missing(p, g, "key", " (e.g. \"margin.initial\")");
  }
  if ((rc = numericKeyOf(p, s, &k)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "target")) == NULL) {
    return missing(p, g, "target", " (e.g. \"bad_debt_probability\")");
  }
  if ((rc = stringOf(p, s, &z)) != LIQ_OK) return rc;
  if (!validName(z)) {
    return badAt(p, s, "calibrate.target must be a statistic name, got \"%s\"",
                 z);
  }
  return reqNumber(p, g, "max", " (the largest acceptable target value)",
                   &rAny, &v);
}

static const char *const azTopKeys[] = {
  "name", "seed", "steps", "step_seconds", "price", "book", "margin",
  "impact", "insurance", "funding", "stats", "sweep", "calibrate", NULL};

static int validate(Loader *p, const config_setting_t *root, liq_scenario *sc) {
  const config_setting_t *s;
  long long seed = 1;
  int rc;
  if ((rc = checkKeys(p, root, azTopKeys, NULL)) != LIQ_OK) return rc;
  if ((rc = validateName(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "seed")) != NULL &&
      (rc = integerIn(p, s, 0, LLONG_MAX, &seed)) != LIQ_OK) {
    return rc;
  }
  sc->seed = (uint64_t)seed;
  if ((s = config_setting_get_member(root, "price")) == NULL) {
    return missing(p, root, "price", " (price = { model = \"gbm\"; ... })");
  }
  if ((rc = validatePrice(p, s, &sc->price)) != LIQ_OK) return rc;
  if ((rc = validateSteps(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "book")) == NULL) {
    return missing(p, root, "book", " (book = { positions = ...; leverage = "
                   "{ ... }; notional = { ... }; })");
  }
  if ((rc = validateBook(p, s, &sc->book)) != LIQ_OK) return rc;
  if ((rc = validateHorizon(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "margin")) == NULL) {
    return missing(p, root, "margin", " (margin = { initial = ...; "
                   "maintenance = ...; })");
  }
  if ((rc = validateMargin(p, s, &sc->margin)) != LIQ_OK) return rc;
  rc = validateImpact(p, config_setting_get_member(root, "impact"), &sc->impact);
  if (rc) return rc;
  rc = validateInsurance(p, config_setting_get_member(root, "insurance"),
                         &sc->insurance);
  if (rc) return rc;
  rc = validateFunding(p, config_setting_get_member(root, "funding"),
                       &sc->price, &sc->funding);
  if (rc) return rc;
  rc = validateStats(p, config_setting_get_member(root, "stats"), &sc->stats);
  if (rc) return rc;
  rc = validateSweep(p, config_setting_get_member(root, "sweep"), &sc->sweep);
  if (rc) return rc;
  rc = validateCalibrate(p, config_setting_get_member(root, "calibrate"));
  if (rc) return rc;
  recordWhere(p, root, sc);
  return LIQ_OK;
}

/* ------------------------------------------------------------------ */
/* --set overrides                                                    */
/* ------------------------------------------------------------------ */

/* An override split and typed: 'zKey' and 'zText' point into 'zBuf'. */
typedef struct Assign {
  char *zBuf;                 /* owned copy of the assignment */
  char *zKey;                 /* dotted path, trimmed */
  char *zText;                /* value text, trimmed, unquoted for strings */
  int type;                   /* CONFIG_TYPE_BOOL/INT64/FLOAT/STRING */
  long long i;                /* INT64 and BOOL value */
  double d;                   /* FLOAT value */
} Assign;

static int isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char *trim(char *z) {
  size_t n;
  while (isSpace(*z)) z++;
  n = strlen(z);
  while (n > 0 && isSpace(z[n - 1])) z[--n] = '\0';
  return z;
}

static int equalsNoCase(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
    if (ca != *b) return 0;
  }
  return *a == *b;
}

/* [+-]digits */
static int isIntegerText(const char *z) {
  if (*z == '+' || *z == '-') z++;
  if (*z == '\0') return 0;
  for (; *z; z++) {
    if (*z < '0' || *z > '9') return 0;
  }
  return 1;
}

/* [+-](digits[.digits]|.digits)([eE][+-]digits): no nan, inf or hex. */
static int isDecimalText(const char *z) {
  int nDigits = 0;
  if (*z == '+' || *z == '-') z++;
  while (*z >= '0' && *z <= '9') z++, nDigits++;
  if (*z == '.') {
    z++;
    while (*z >= '0' && *z <= '9') z++, nDigits++;
  }
  if (nDigits == 0) return 0;
  if (*z == 'e' || *z == 'E') {
    z++;
    if (*z == '+' || *z == '-') z++;
    if (*z < '0' || *z > '9') return 0;
    while (*z >= '0' && *z <= '9') z++;
  }
  return *z == '\0';
}

/* Each dot-separated part must be a libconfig name: [A-Za-z][-A-Za-z0-9_]*. */
static int isKeyPath(const char *z) {
  int atStart = 1;
  for (; *z; z++) {
    char c = *z;
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    int digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (atStart) return 0;
      atStart = 1;
    } else if (atStart) {
      if (!alpha) return 0;
      atStart = 0;
    } else if (!alpha && !digit && c != '_' && c != '-') {
      return 0;
    }
  }
  return !atStart;
}

static void assignFree(Assign *a) {
  free(a->zBuf);
  a->zBuf = NULL;
}

/*
** Split override 'i' into key and typed value.  The type comes from the
** text: true/false, an integer, a decimal number, else a string (one pair
** of double quotes is removed, with \" and \\ inside them).
*/
static int assignParse(Loader *p, size_t i, Assign *a) {
  const char *zIn = p->aOv[i].assignment;
  int iLine = (int)i + 1;
  char *zEq;
  memset(a, 0, sizeof *a);
  if (zIn == NULL) {
    return liq_errf(p->err, LIQ_USAGE, "--set", iLine,
                    "--set needs key=value, got nothing");
  }
  if ((a->zBuf = dupString(zIn)) == NULL) {
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  zEq = strchr(a->zBuf, '=');
  if (zEq == NULL) {
    assignFree(a);
    return liq_errf(p->err, LIQ_USAGE, "--set", iLine,
                    "--set needs key=value (e.g. margin.initial=0.02), got "
                    "\"%s\"", zIn);
  }
  *zEq = '\0';
  a->zKey = trim(a->zBuf);
  a->zText = trim(zEq + 1);
  if (a->zKey[0] == '\0' || !isKeyPath(a->zKey)) {
    assignFree(a);
    return liq_errf(p->err, LIQ_USAGE, "--set", iLine,
                    "--set key must be a dotted path of names (e.g. "
                    "margin.initial), got \"%s\"", zIn);
  }
  if (a->zText[0] == '\0') {
    int rc = liq_errf(p->err, LIQ_USAGE, "--set", iLine,
                      "--set %s= has no value (write \"\" quoted for an "
                      "empty string)", a->zKey);
    assignFree(a);
    return rc;
  }
  if (equalsNoCase(a->zText, "true") || equalsNoCase(a->zText, "false")) {
    a->type = CONFIG_TYPE_BOOL;
    a->i = equalsNoCase(a->zText, "true");
  } else if (isIntegerText(a->zText)) {
    errno = 0;
    a->i = strtoll(a->zText, NULL, 10);
    a->type = CONFIG_TYPE_INT64;
    if (errno == ERANGE) {
      a->type = CONFIG_TYPE_FLOAT;
      a->d = strtod(a->zText, NULL);
    }
  } else if (isDecimalText(a->zText)) {
    a->type = CONFIG_TYPE_FLOAT;
    a->d = strtod(a->zText, NULL);
  } else {
    size_t n = strlen(a->zText);
    a->type = CONFIG_TYPE_STRING;
    if (n >= 2 && a->zText[0] == '"' && a->zText[n - 1] == '"') {
      char *zOut = a->zText, *z;
      a->zText[n - 1] = '\0';
      for (z = a->zText + 1; *z; z++) {
        if (z[0] == '\\' && (z[1] == '"' || z[1] == '\\')) z++;
        *zOut++ = *z;
      }
      *zOut = '\0';
    }
  }
  return LIQ_OK;
}

/* Replace or create the setting override 'i' names, hooked to it. */
static int assignApply(Loader *p, config_t *cfg, size_t i, const Assign *a) {
  void *pHook = (void *)&p->aOv[i];    /* identifies; never written */
  int iLine = (int)i + 1;
  config_setting_t *g = config_root_setting(cfg), *s;
  char *zPart = a->zKey, *zDot;
  char zPath[PATH_BUF];
  while ((zDot = strchr(zPart, '.')) != NULL) {
    *zDot = '\0';
    s = config_setting_get_member(g, zPart);
    if (s == NULL) {
      s = config_setting_add(g, zPart, CONFIG_TYPE_GROUP);
      if (s == NULL) return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
      config_setting_set_hook(s, pHook);
    } else if (!config_setting_is_group(s)) {
      settingPath(s, zPath, sizeof zPath);
      *zDot = '.';
      return liq_errf(p->err, LIQ_INPUT, "--set", iLine,
                      "--set %s: %s is %s, not a group (--set can only set "
                      "scalars inside groups)", a->zKey, zPath, typeName(s));
    }
    *zDot = '.';
    g = s;
    zPart = zDot + 1;
  }
  s = config_setting_get_member(g, zPart);
  if (s != NULL) {
    if (!config_setting_is_scalar(s)) {
      settingPath(s, zPath, sizeof zPath);
      return liq_errf(p->err, LIQ_INPUT, "--set", iLine,
                      "--set can only set scalars, and %s is %s", zPath,
                      typeName(s));
    }
    config_setting_remove(g, zPart);
  }
  s = config_setting_add(g, zPart, a->type);
  if (s == NULL) return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  config_setting_set_hook(s, pHook);
  switch (a->type) {
    case CONFIG_TYPE_BOOL:  config_setting_set_bool(s, (int)a->i); break;
    case CONFIG_TYPE_INT64: config_setting_set_int64(s, a->i); break;
    case CONFIG_TYPE_FLOAT: config_setting_set_float(s, a->d); break;
    default:
      if (!config_setting_set_string(s, a->zText)) {
        return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
      }
  }
  return LIQ_OK;
}

static int applyOverrides(Loader *p, config_t *cfg) {
  size_t i;
  for (i = 0; i < p->nOv; i++) {
    Assign a;
    int rc = assignParse(p, i, &a);
    if (rc) return rc;
    rc = assignApply(p, cfg, i, &a);
    assignFree(&a);
    if (rc) return rc;
  }
  return LIQ_OK;
}

static void jsonString(Buf *b, const char *z) {
  bufPuts(b, "\"");
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    char zEsc[8];
    if (c == '"' || c == '\\') {
      zEsc[0] = '\\';
      zEsc[1] = (char)c;
      bufAppend(b, zEsc, 2);
    } else if (c < 0x20) {
      snprintf(zEsc, sizeof zEsc, "\\u%04x", c);
      bufPuts(b, zEsc);
    } else {
      bufAppend(b, z, 1);
    }
  }
  bufPuts(b, "\"");
}

/*
** The overrides as a JSON object, in order; when a key is set twice only
** the later value counts, so only it is written.
*/
static int paramsJson(Loader *p, char **pz) {
  Buf b = {NULL, 0, 0, 0};
  size_t i, j, nOut = 0;
  int rc = LIQ_OK;
  bufPuts(&b, "{");
  for (i = 0; i < p->nOv && rc == LIQ_OK; i++) {
    Assign a;
    int later = 0;
    if ((rc = assignParse(p, i, &a)) != LIQ_OK) break;
    for (j = i + 1; j < p->nOv && !later; j++) {
      Assign o;
      if ((rc = assignParse(p, j, &o)) != LIQ_OK) break;
      later = strcmp(a.zKey, o.zKey) == 0;
      assignFree(&o);
    }
    if (rc == LIQ_OK && !later) {
      if (nOut++) bufPuts(&b, ",");
      jsonString(&b, a.zKey);
      bufPuts(&b, ":");
      if (a.type == CONFIG_TYPE_BOOL) {
        bufPuts(&b, a.i ? "true" : "false");
      } else if (a.type == CONFIG_TYPE_INT64) {
        char zNum[32];
        snprintf(zNum, sizeof zNum, "%lld", a.i);
        bufPuts(&b, zNum);
      } else if (a.type == CONFIG_TYPE_FLOAT && isfinite(a.d)) {
        bufPuts(&b, num(a.d).z);
      } else if (a.type == CONFIG_TYPE_FLOAT) {
        jsonString(&b, num(a.d).z);
      } else {
        jsonString(&b, a.zText);
      }
    }
    assignFree(&a);
  }
  bufPuts(&b, "}");
  if (rc == LIQ_OK && b.oom) {
    rc = liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  if (rc != LIQ_OK) {
    free(b.z);
    return rc;
  }
  *pz = b.z;
  return LIQ_OK;
}

/* ------------------------------------------------------------------ */
/* Reading and parsing                                                */
/* ------------------------------------------------------------------ */

/* What lexToken() found. */
enum {
  TOK_OTHER,                  /* anything but a plain integer literal */
  TOK_INT32,                  /* an integer literal that fits 32 bits */
  TOK_INT64,                  /* one that needs 64 bits */
  TOK_INT_HUGE                /* one beyond 64 bits */
};

/*
** The token of libconfig text that starts at 'z' ('zText' is the start of
** the text, to see a '-' before a number): a newline, string, comment,
** name, number or a single other character.  Newlines inside it are
** counted into *piLine and *pKind says whether it is an integer literal
** and how wide.  Returns the token's end.
*/
static const char *lexToken(const char *zText, const char *z, int *piLine,
                            int *pKind) {
  char c = *z;
  *pKind = TOK_OTHER;
  if (c == '\n') {
    (*piLine)++;
    return z + 1;
  }
  if (c == '"') {                               /* string */
    for (z++; *z && *z != '"'; z++) {
      if (*z == '\\' && z[1]) z++;
      else if (*z == '\n') (*piLine)++;
    }
    return *z ? z + 1 : z;
  }
  if (c == '#' || (c == '/' && z[1] == '/')) {  /* line comment */
    while (*z && *z != '\n') z++;
    return z;
  }
  if (c == '/' && z[1] == '*') {                /* block comment */
    for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
      if (*z == '\n') (*piLine)++;
    }
    return *z ? z + 2 : z;
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
    while ((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') ||
           (*z >= '0' && *z <= '9') || *z == '_' || *z == '-' || *z == '*') {
      z++;                                      /* name or true/false */
    }
    return z;
  }
  if (c >= '0' && c <= '9') {
    int neg = z > zText && z[-1] == '-', allDigits = 1, over = 0;
    int hex = c == '0' && (z[1] == 'x' || z[1] == 'X');
    unsigned long long v = 0, lim;
    if (hex) z += 2;
    for (; (*z >= '0' && *z <= '9') || (*z >= 'a' && *z <= 'z') ||
           (*z >= 'A' && *z <= 'Z') || *z == '.' || *z == '_'; z++) {
      unsigned d;
      if ((*z == 'e' || *z == 'E') && !hex && (z[1] == '+' || z[1] == '-')) {
        z++;                                    /* exponent sign */
        allDigits = 0;
        continue;
      }
      if (*z >= '0' && *z <= '9') d = (unsigned)(*z - '0');
      else if (hex && *z >= 'a' && *z <= 'f') d = (unsigned)(*z - 'a' + 10);
      else if (hex && *z >= 'A' && *z <= 'F') d = (unsigned)(*z - 'A' + 10);
      else {
        allDigits = 0;
        continue;
      }
      if (v > (ULLONG_MAX - d) / (hex ? 16u : 10u)) over = 1;
      else v = v * (hex ? 16u : 10u) + d;
    }
    if (!allDigits) return z;                   /* float, 5L, or junk */
    lim = hex ? 0xFFFFFFFFFFFFFFFFull : neg ? 0x8000000000000000ull
                                            : 0x7FFFFFFFFFFFFFFFull;
    if (over || v > lim) *pKind = TOK_INT_HUGE;
    else if (v > (hex ? 0xFFFFFFFFull : neg ? 0x80000000ull : 0x7FFFFFFFull)) {
      *pKind = TOK_INT64;
    } else {
      *pKind = TOK_INT32;
    }
    return z;
  }
  return z + 1;
}

/*
** libconfig 1.5 reads an integer literal into a 32-bit int and silently
** wraps anything wider (from = 1584050580000 would become garbage).
** Copy 'zText' into *pzOut with an 'L' after every such literal, which
** makes it a 64-bit one; strings and comments are left alone.  The
** elements of an array must share one type, so when an array holds a
** wide literal, all its integer literals get the 'L'.  Literals beyond 64
** bits are an error at their line.
**
** Two linear passes: the first notes, for each '[', whether a wide
** literal comes before the next ']' (each '[' is marked at most once), the
** second copies.  The first also rejects @include: libconfig would read
** the named file itself, without this widening or the checks of scenario
** files, and exits the process when it names a directory.
*/
static int widenIntegers(Loader *p, const char *zText, char **pzOut) {
  Buf b = {NULL, 0, 0, 0};
  unsigned char *aWide = NULL;  /* per '[': its array holds a wide literal */
  size_t nOpen = 0, nCap = 0, iUnmarked = 0, k;
  const char *z = zText, *zCopied = zText;
  int iLine = 1, wideArray = 0, kind;
  while (*z) {                                  /* pass 1 */
    const char *zStart = z;
    int iStart = iLine;
    if (*z == '@' && strncmp(z + 1, "include", 7) == 0) {
      free(aWide);
      return liq_errf(p->err, LIQ_INPUT, p->zFile, iStart, "@include is not "
                      "supported: put the settings in the scenario file");
    }
    if (*z == '[') {
      if (nOpen == nCap) {
        size_t nNew = nCap ? 2 * nCap : 64;
        unsigned char *aNew = realloc(aWide, nNew);
        if (aNew == NULL) {
          free(aWide);
          return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
        }
        aWide = aNew;
        nCap = nNew;
      }
      aWide[nOpen++] = 0;
    } else if (*z == ']') {
      iUnmarked = nOpen;                        /* every '[' so far is closed */
    }
    z = lexToken(zText, z, &iLine, &kind);
    if (kind == TOK_INT_HUGE) {
      free(aWide);
      return liq_errf(p->err, LIQ_INPUT, p->zFile, iStart,
                      "integer %.*s is out of range (at most 64 bits; "
                      "write a float such as 1e20)", (int)(z - zStart),
                      zStart);
    }
    if (kind == TOK_INT64) {
      for (k = iUnmarked; k < nOpen; k++) aWide[k] = 1;
      iUnmarked = nOpen;
    }
  }
  z = zText;                                    /* pass 2 */
  iLine = 1;
  k = 0;
  while (*z) {
    if (*z == '[') {
      wideArray = aWide[k++];
    } else if (*z == ']') {
      wideArray = 0;
    }
    z = lexToken(zText, z, &iLine, &kind);
    if (kind == TOK_INT64 || (kind == TOK_INT32 && wideArray)) {
      bufAppend(&b, zCopied, (size_t)(z - zCopied));
      bufPuts(&b, "L");
      zCopied = z;
    }
  }
  free(aWide);
  bufAppend(&b, zCopied, (size_t)(z - zCopied));   /* allocates even if 0 */
  if (b.oom) {
    free(b.z);
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  *pzOut = b.z;
  return LIQ_OK;
}

static int syntaxError(Loader *p, const config_t *cfg) {
  const char *zFile = config_error_file(cfg) ? config_error_file(cfg) : p->zFile;
  const char *zText = config_error_text(cfg) ? config_error_text(cfg)
                                             : "cannot parse";
  const char *zHint = "";
  if (strstr(zText, "mismatched element type")) {
    zHint = " (write all numbers of an array alike, e.g. [2.0, 5.0], or use "
            "a list ( ... ))";
  } else if (strcmp(zText, "syntax error") == 0) {
    zHint = " (expected libconfig: name = value; groups { ... }; arrays "
            "[ ... ]; lists ( ... ); strings in double quotes)";
  }
  return liq_errf(p->err, LIQ_INPUT, zFile, config_error_line(cfg) > 0
                  ? config_error_line(cfg) : 1, "%s%s", zText, zHint);
}

/* Parse, override and validate 'zText' into the new scenario 'sc'. */
static int loadConfig(Loader *p, const char *zText, liq_scenario *sc) {
  config_t cfg;
  char *zWide = NULL;
  int rc;
  config_init(&cfg);
  config_set_auto_convert(&cfg, 0);     /* @include: see widenIntegers() */
  rc = widenIntegers(p, zText, &zWide);
  if (rc == LIQ_OK && !config_read_string(&cfg, zWide)) {
    rc = syntaxError(p, &cfg);
  }
  if (rc == LIQ_OK && config_setting_length(config_root_setting(&cfg)) == 0) {
    rc = liq_errf(p->err, LIQ_INPUT, p->zFile, 1, "empty scenario file "
                  "(expected settings such as price = { ... };)");
  }
  if (rc == LIQ_OK) rc = applyOverrides(p, &cfg);
  if (rc == LIQ_OK) rc = validate(p, config_root_setting(&cfg), sc);
  if (rc == LIQ_OK) rc = paramsJson(p, &sc->params_json);
  config_destroy(&cfg);
  free(zWide);
  return rc;
}

/* Load from text already in memory; 'zText' is copied into the struct. */
static int loadText(const char *zText, const char *zFile, const char *zDir,
                    const liq_override *ov, size_t n, liq_scenario **out,
                    liq_err *err) {
  Loader L;
  liq_scenario *sc;
  int rc;
  L.zFile = zFile;
  L.zDir = zDir;
  L.aOv = ov;
  L.nOv = ov ? n : 0;
  L.err = err;
  if (strlen(zFile) >= sizeof sc->path) {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "scenario path is too long (at "
                    "most %zu bytes)", sizeof sc->path - 1);
  }
  if ((sc = calloc(1, sizeof *sc)) == NULL ||
      (sc->text = dupString(zText)) == NULL) {
    free(sc);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  snprintf(sc->path, sizeof sc->path, "%s", zFile);
  rc = loadConfig(&L, zText, sc);
  if (rc != LIQ_OK) {
    liq_scenario_free(sc);
    return rc;
  }
  *out = sc;
  return LIQ_OK;
}

/* Read all of 'zPath' into a new NUL-terminated string. */
static int readWhole(const char *zPath, char **pz, size_t *pn, liq_err *err) {
  Buf b = {NULL, 0, 0, 0};
  char aChunk[8192];
  size_t nRead;
  FILE *f = fopen(zPath, "rb");
  if (f == NULL) {
    return liq_errf(err, LIQ_IO, zPath, 0, "cannot open scenario: %s",
                    strerror(errno));
  }
  while ((nRead = fread(aChunk, 1, sizeof aChunk, f)) > 0) {
    bufAppend(&b, aChunk, nRead);
  }
  if (ferror(f)) {
    int e = errno;
    fclose(f);
    free(b.z);
    return liq_errf(err, LIQ_IO, zPath, 0, "cannot read scenario: %s",
                    strerror(e));
  }
  fclose(f);
  if (b.z == NULL && !b.oom) bufPuts(&b, "");
  if (b.oom) {
    free(b.z);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  *pz = b.z;
  *pn = b.n;
  return LIQ_OK;
}

int liq_scenario_load(const char *path, const liq_override *ov, size_t n,
                      liq_scenario **out, liq_err *err) {
  char *zText = NULL, *zDir = NULL, *zSlash;
  size_t nText = 0;
  int rc;
  *out = NULL;
  if (path == NULL || path[0] == '\0') {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "no scenario file given");
  }
  if ((rc = readWhole(path, &zText, &nText, err)) != LIQ_OK) return rc;
  if (strlen(zText) != nText) {
    const char *z;
    int iLine = 1;
    for (z = zText; *z; z++) iLine += *z == '\n';
    free(zText);
    return liq_errf(err, LIQ_INPUT, path, iLine, "scenario file contains a "
                    "NUL byte (expected text)");
  }
  if ((zDir = dupString(path)) == NULL) {
    free(zText);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  zSlash = strrchr(zDir, '/');
  if (zSlash == NULL) zDir[0] = '\0';
  else if (zSlash == zDir) zDir[1] = '\0';   /* "/x.cfg": the root */
  else *zSlash = '\0';
  rc = loadText(zText, path, zDir, ov, n, out, err);
  free(zDir);
  free(zText);
  return rc;
}

int liq_scenario_load_string(const char *text, const char *name,
                             const liq_override *ov, size_t n,
                             liq_scenario **out, liq_err *err) {
  *out = NULL;
  if (text == NULL) {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "no scenario text given");
  }
  return loadText(text, name ? name : "<string>", "", ov, n, out, err);
}

int liq_scenario_errf(const liq_scenario *sc, liq_where w, liq_err *err,
                      const char *fmt, ...) {
  char zMsg[sizeof err->msg];
  const char *zFile = sc && sc->path[0] ? sc->path : NULL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(zMsg, sizeof zMsg, fmt, ap);
  va_end(ap);
  if (w.set > 0) return liq_errf(err, LIQ_INPUT, "--set", w.set, "%s", zMsg);
  return liq_errf(err, LIQ_INPUT, zFile, w.line > 0 ? w.line : 0, "%s", zMsg);
}

void liq_scenario_free(liq_scenario *sc) {
  if (sc == NULL) return;
  free(sc->text);
  free(sc->params_json);
  free(sc);
}

/*
** The quantile's percentage with two integer digits and up to four
** decimals, '_' for the point, trailing zeros dropped: 0.995 -> "q99_5".
*/
void liq_quantile_label(double q, char *buf, size_t size) {
  long long v, whole, frac;
  char zFrac[8];
  size_t n;
  if (buf == NULL || size == 0) return;
  if (!isfinite(q) || q < 0.0 || q > 1.0) {
    snprintf(buf, size, "q_invalid");
    return;
  }
  v = llround(q * 100.0 * 10000.0);       /* 1e-4 percent units */
  whole = v / 10000;
  frac = v % 10000;
  if (frac == 0) {
    snprintf(buf, size, "q%02lld", whole);
    return;
  }
  snprintf(zFrac, sizeof zFrac, "%04lld", frac);
  n = strlen(zFrac);
  while (n > 0 && zFrac[n - 1] == '0') zFrac[--n] = '\0';
  snprintf(buf, size, "q%02lld_%s", whole, zFrac);
}
