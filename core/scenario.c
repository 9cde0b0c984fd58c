/*
** scenario.c: load a scenario file (libconfig syntax), apply --set
** overrides and validate everything into a plain liq_scenario.
**
** Loading runs in three passes over one config_t:
**
**   1. read:     the text is read whole (the run stores it), integer
**                literals too wide for libconfig 1.5's 32-bit ints get an
**                'L' suffix (1.5 silently wraps them otherwise), and
**                libconfig parses it;
**   2. override: each --set walks (or creates) groups from the root and
**                replaces one scalar; the new setting's hook points at its
**                liq_override, so errors about it say "--set":N;
**   3. validate: one function per group rejects unknown keys, then copies
**                each value into the struct, checking type and range.
**
** Every error carries the FILE:LINE of the setting it is about, or of the
** enclosing group when a required key is missing.  Nothing outlives
** config_destroy(): strings are copied into the struct.
*/
#include "liq_scenario.h"

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
** Reject members of group 'g' that are not in 'azOk': a key listed in
** 'aNo' (may be NULL) with its reason, any other as unknown.  Members are
** checked in file order, so the first bad key is reported.
*/
static int checkKeys(Loader *p, const config_setting_t *g,
                     const char *const *azOk, const Refusal *aNo) {
  int i, n = config_setting_length(g);
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    const char *zName = config_setting_name(m);
    const Refusal *r;
    char zPath[PATH_BUF], zOk[512];
    if (isOneOf(zName, azOk)) continue;
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
      if (d < (double)lo || d > (double)hi) {
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
** Names in 'azLater' are known but not implemented yet.
*/
static int chooseName(Loader *p, const config_setting_t *s,
                      const char *const *azOk, const char *const *azLater,
                      int *pi) {
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
  if (azLater && isOneOf(z, azLater)) {
    return badAt(p, s, "%s \"%s\" is not implemented yet (expected %s)", zPath,
                 z, zOk);
  }
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
** Join the replay file name to the scenario's directory (absolute names
** stay) and check that it can be opened, so `liqsim check` catches it.
*/
static int resolveReplayFile(Loader *p, const config_setting_t *s,
                             liq_price_params *pp) {
  const char *z = NULL;
  FILE *f;
  int rc = stringOf(p, s, &z), n;
  if (rc) return rc;
  if (z[0] == '\0') return badAt(p, s, "price.file must not be empty");
  if (z[0] == '/' || p->zDir[0] == '\0') {
    n = snprintf(pp->file, sizeof pp->file, "%s", z);
  } else {
    size_t len = strlen(p->zDir);
    n = snprintf(pp->file, sizeof pp->file, "%s%s%s", p->zDir,
                 p->zDir[len - 1] == '/' ? "" : "/", z);
  }
  if (n < 0 || (size_t)n >= sizeof pp->file) {
    return badAt(p, s, "price.file is too long (at most %zu bytes after "
                 "joining the scenario's directory)", sizeof pp->file - 1);
  }
  f = fopen(pp->file, "rb");
  if (f == NULL) {
    return badAt(p, s, "price.file \"%s\" cannot be opened: %s (relative "
                 "names start at the scenario file's directory)",
                 pp->file, strerror(errno));
  }
  fclose(f);
  return LIQ_OK;
}

static const char *const azPriceGbm[] = {"model", "start", "drift",
                                         "volatility", NULL};
static const char *const azPriceReplay[] = {"model", "file", "from", "to",
                                            NULL};
static const char *const azPriceAll[] = {"model", "start", "drift",
                                         "volatility", "file", "from",
                                         "to", NULL};
static const Refusal aPriceGbmNo[] = {
  {"file", "is only used by model replay (model gbm takes: model, start, "
           "drift, volatility)"},
  {"from", "is only used by model replay (model gbm takes: model, start, "
           "drift, volatility)"},
  {"to", "is only used by model replay (model gbm takes: model, start, "
         "drift, volatility)"},
  {"columns", "is not implemented yet (CSV columns are detected "
              "automatically)"},
  {NULL, NULL}};
static const Refusal aPriceReplayNo[] = {
  {"start", "is only used by model gbm (model replay takes: model, file, "
            "from, to; the path starts at the file's first bar)"},
  {"drift", "is only used by model gbm (model replay takes: model, file, "
            "from, to)"},
  {"volatility", "is only used by model gbm (model replay takes: model, "
                 "file, from, to)"},
  {"columns", "is not implemented yet (CSV columns are detected "
              "automatically)"},
  {NULL, NULL}};

static int validateReplay(Loader *p, const config_setting_t *g,
                          liq_price_params *pp) {
  const config_setting_t *sFile = config_setting_get_member(g, "file");
  const config_setting_t *sFrom = config_setting_get_member(g, "from");
  const config_setting_t *sTo = config_setting_get_member(g, "to");
  int rc;
  if (sFile == NULL) return missing(p, g, "file", " for model replay");
  if ((rc = resolveReplayFile(p, sFile, pp)) != LIQ_OK) return rc;
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

static int validatePrice(Loader *p, const config_setting_t *g,
                         liq_price_params *pp) {
  static const char *const azModels[] = {"gbm", "replay", NULL};
  static const char *const azLater[] = {"jump", "garch", "bootstrap", NULL};
  static const Range rVol = {0.0, 10.0, 0, 0};
  const config_setting_t *sModel;
  int rc, iModel;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  sModel = config_setting_get_member(g, "model");
  if (sModel == NULL) {
    if ((rc = checkKeys(p, g, azPriceAll, NULL)) != LIQ_OK) return rc;
    return missing(p, g, "model", " (gbm or replay)");
  }
  if ((rc = chooseName(p, sModel, azModels, azLater, &iModel)) != LIQ_OK) {
    return rc;
  }
  pp->model = iModel == 0 ? LIQ_PRICE_GBM : LIQ_PRICE_REPLAY;
  if (pp->model == LIQ_PRICE_REPLAY) {
    if ((rc = checkKeys(p, g, azPriceReplay, aPriceReplayNo)) != LIQ_OK) {
      return rc;
    }
    return validateReplay(p, g, pp);
  }
  if ((rc = checkKeys(p, g, azPriceGbm, aPriceGbmNo)) != LIQ_OK) return rc;
  if ((rc = reqNumber(p, g, "start", " for model gbm", &rPositive,
                      &pp->start)) != LIQ_OK) {
    return rc;
  }
  pp->drift = 0.0;
  if ((rc = optNumber(p, g, "drift", &rAny, &pp->drift)) != LIQ_OK) return rc;
  return reqNumber(p, g, "volatility", " for model gbm (annualised, e.g. 0.8)",
                   &rVol, &pp->volatility);
}

/* steps and step_seconds, which depend on the price model. */
static int validateSteps(Loader *p, const config_setting_t *root,
                         liq_scenario *sc) {
  const config_setting_t *sSteps = config_setting_get_member(root, "steps");
  const config_setting_t *sDt = config_setting_get_member(root, "step_seconds");
  long long n = 0;
  int rc;
  if (sc->price.model == LIQ_PRICE_REPLAY) {
    if (sDt) {
      return badAt(p, sDt, "step_seconds is not used with price.model replay "
                   "(steps come from the file's bars)");
    }
    if (sSteps && (rc = integerIn(p, sSteps, 0, LLONG_MAX, &n)) != LIQ_OK) {
      return rc;
    }
    sc->steps = (size_t)n;     /* 0: every bar in the window */
    sc->step_seconds = 0.0;    /* taken from the file */
    return LIQ_OK;
  }
  if (sSteps == NULL) return missing(p, root, "steps", " for price.model gbm");
  if ((rc = integerIn(p, sSteps, 1, LLONG_MAX, &n)) != LIQ_OK) return rc;
  sc->steps = (size_t)n;
  return reqNumber(p, root, "step_seconds", " for price.model gbm (e.g. 60)",
                   &rPositive, &sc->step_seconds);
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
  const config_setting_t *sDist;
  int rc, iDist;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  sDist = config_setting_get_member(g, "dist");
  if (sDist == NULL) {
    if ((rc = checkKeys(p, g, azAll, NULL)) != LIQ_OK) return rc;
    return missing(p, g, "dist", " (lognormal or fixed)");
  }
  if ((rc = chooseName(p, sDist, azDists, NULL, &iDist)) != LIQ_OK) return rc;
  bp->notional_dist = iDist == 0 ? LIQ_NOTIONAL_LOGNORMAL : LIQ_NOTIONAL_FIXED;
  rc = checkKeys(p, g, iDist == 0 ? azLognormal : azFixed,
                 iDist == 0 ? NULL : aFixedNo);
  if (rc) return rc;
  rc = reqNumber(p, g, "median", " (median entry notional, quote currency)",
                 &rPositive, &bp->notional_median);
  if (rc) return rc;
  bp->notional_sigma = 0.0;
  if (bp->notional_dist == LIQ_NOTIONAL_FIXED) return LIQ_OK;
  return reqNumber(p, g, "sigma", " for dist lognormal (sd of log notional)",
                   &rSigma, &bp->notional_sigma);
}

static int validateBook(Loader *p, const config_setting_t *g,
                        liq_book_params *bp) {
  static const char *const azKeys[] = {"positions", "long_share", "leverage",
                                       "notional", "entry", NULL};
  static const char *const azEntry[] = {"spread", NULL};
  const config_setting_t *s;
  long long n;
  int rc;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "positions")) == NULL) {
    return missing(p, g, "positions", " (number of positions, e.g. 100000)");
  }
  if ((rc = integerIn(p, s, 1, 100000000, &n)) != LIQ_OK) return rc;
  bp->positions = (size_t)n;
  bp->long_share = 0.5;
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
  bp->entry_spread = 0.0;
  if ((s = config_setting_get_member(g, "entry")) != NULL) {
    if ((rc = needGroup(p, s)) != LIQ_OK) return rc;
    if ((rc = checkKeys(p, s, azEntry, NULL)) != LIQ_OK) return rc;
    rc = optNumber(p, s, "spread", &rUnit, &bp->entry_spread);
  }
  return rc;
}

static int validateMargin(Loader *p, const config_setting_t *g,
                          liq_margin_params *mp) {
  static const char *const azKeys[] = {"initial", "maintenance", "call_level",
                                       "liquidation_fee", NULL};
  static const Refusal aNo[] = {
    {"tiers", "is not implemented yet (flat rates only: set "
              "margin.maintenance)"},
    {"partial", "is not implemented yet (liquidations close the whole "
                "position)"},
    {"topup", "is not implemented yet (called traders add no collateral)"},
    {NULL, NULL}};
  static const Range rInitial = {0.0, 1.0, 1, 0};
  static const Range rFee = {0.0, 0.1, 0, 0};
  const config_setting_t *sInit, *sMaint, *sCall;
  double lo;
  int rc;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, aNo)) != LIQ_OK) return rc;
  sInit = config_setting_get_member(g, "initial");
  sMaint = config_setting_get_member(g, "maintenance");
  sCall = config_setting_get_member(g, "call_level");
  if (sInit == NULL) return missing(p, g, "initial", " (rate in (0, 1], e.g. 0.01)");
  if ((rc = numberIn(p, sInit, &rInitial, &mp->initial)) != LIQ_OK) return rc;
  if (sMaint == NULL) {
    return missing(p, g, "maintenance", " (rate in (0, margin.initial), "
                   "e.g. 0.005)");
  }
  if ((rc = numberIn(p, sMaint, &rAny, &mp->maintenance)) != LIQ_OK) return rc;
  if (!(mp->maintenance > 0.0)) {
    return badAt(p, sMaint, "margin.maintenance must be in (0, margin.initial), "
                 "got %s", num(mp->maintenance).z);
  }
  if (!(mp->maintenance < mp->initial)) {
    return badAt2(p, sMaint, sInit, "margin.maintenance must be below "
                  "margin.initial (%s), got %s", num(mp->initial).z,
                  num(mp->maintenance).z);
  }
  mp->call_level = 1.0;
  if (sCall && (rc = numberIn(p, sCall, &rAny, &mp->call_level)) != LIQ_OK) {
    return rc;
  }
  lo = mp->maintenance / mp->initial;
  if (!(mp->call_level >= lo)) {
    return badAt2(p, sCall ? sCall : g, sCall ? sMaint : NULL,
                  "margin.call_level must be >= margin.maintenance / "
                  "margin.initial (%s), got %s", num(lo).z,
                  num(mp->call_level).z);
  }
  if (!(mp->call_level * mp->initial <= 1.0)) {
    return badAt2(p, sCall ? sCall : g, sInit,
                  "margin.call_level * margin.initial must be <= 1 (a call "
                  "level above the whole notional), got %s",
                  num(mp->call_level * mp->initial).z);
  }
  mp->liquidation_fee = 0.0;
  return optNumber(p, g, "liquidation_fee", &rFee, &mp->liquidation_fee);
}

static int validateImpact(Loader *p, const config_setting_t *g,
                          liq_impact_params *ip) {
  static const char *const azModels[] = {"none", "linear", "sqrt", NULL};
  static const char *const azLater[] = {"depth", NULL};
  static const char *const azNone[] = {"model", "max_rounds", NULL};
  static const char *const azLinear[] = {"model", "daily_volume",
                                         "coefficient", "max_rounds", NULL};
  static const char *const azSqrt[] = {"model", "daily_volume", "coefficient",
                                       "daily_volatility", "max_rounds", NULL};
  static const Refusal aNoneNo[] = {
    {"daily_volume", "is not used by model none (set impact.model to linear "
                     "or sqrt)"},
    {"coefficient", "is not used by model none (set impact.model to linear "
                    "or sqrt)"},
    {"daily_volatility", "is not used by model none (set impact.model to "
                         "sqrt)"},
    {"half_life_seconds", "is not implemented yet (impact is permanent)"},
    {NULL, NULL}};
  static const Refusal aLinearNo[] = {
    {"daily_volatility", "is only used by model sqrt"},
    {"half_life_seconds", "is not implemented yet (impact is permanent)"},
    {NULL, NULL}};
  static const Refusal aSqrtNo[] = {
    {"half_life_seconds", "is not implemented yet (impact is permanent)"},
    {NULL, NULL}};
  const config_setting_t *s;
  long long n;
  int rc, iModel;
  ip->model = LIQ_IMPACT_NONE;
  ip->daily_volume = 0.0;
  ip->coefficient = 0.0;
  ip->daily_volatility = NAN;
  ip->max_rounds = 100;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "model")) == NULL) {
    if ((rc = checkKeys(p, g, azSqrt, aSqrtNo)) != LIQ_OK) return rc;
    return missing(p, g, "model", " (none, linear or sqrt)");
  }
  if ((rc = chooseName(p, s, azModels, azLater, &iModel)) != LIQ_OK) return rc;
  ip->model = iModel == 0 ? LIQ_IMPACT_NONE
            : iModel == 1 ? LIQ_IMPACT_LINEAR : LIQ_IMPACT_SQRT;
  rc = checkKeys(p, g, iModel == 0 ? azNone : iModel == 1 ? azLinear : azSqrt,
                 iModel == 0 ? aNoneNo : iModel == 1 ? aLinearNo : aSqrtNo);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "max_rounds")) != NULL) {
    if ((rc = integerIn(p, s, 1, 100000, &n)) != LIQ_OK) return rc;
    ip->max_rounds = (int)n;
  }
  if (ip->model == LIQ_IMPACT_NONE) return LIQ_OK;
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

static int validateInsurance(Loader *p, const config_setting_t *g,
                             liq_insurance_params *ins) {
  static const char *const azKeys[] = {"fund", NULL};
  static const Refusal aNo[] = {
    {"policy", "is not implemented yet (the fund absorbs bad debt; ADL and "
               "socialised loss come later)"},
    {NULL, NULL}};
  int rc;
  ins->fund = 0.0;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, aNo)) != LIQ_OK) return rc;
  return optNumber(p, g, "fund", &rNonNegative, &ins->fund);
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

/* The numeric scalars a sweep grid or a calibration may vary. */
static const char *const azNumericKeys[] = {
  "seed", "steps", "step_seconds",
  "price.start", "price.drift", "price.volatility",
  "book.positions", "book.long_share", "book.notional.median",
  "book.notional.sigma", "book.entry.spread",
  "margin.initial", "margin.maintenance", "margin.call_level",
  "margin.liquidation_fee",
  "impact.daily_volume", "impact.coefficient", "impact.daily_volatility",
  "impact.max_rounds", "insurance.fund", "stats.every", NULL};

/* A string naming one of azNumericKeys. */
static int numericKeyOf(Loader *p, const config_setting_t *s,
                        const char **pz) {
  char zPath[PATH_BUF];
  int rc = stringOf(p, s, pz);
  if (rc) return rc;
  if (isOneOf(*pz, azNumericKeys)) return LIQ_OK;
  settingPath(s, zPath, sizeof zPath);
  return badAt(p, s, "%s \"%s\" is not a numeric scenario key (expected a "
               "--set path such as \"margin.initial\" or \"book.positions\")",
               zPath, *pz);
}

static int validateGridEntry(Loader *p, const config_setting_t *e,
                             const char **pzKey, int *pnValues) {
  static const char *const azKeys[] = {"key", "values", NULL};
  const config_setting_t *s;
  double v;
  int rc, i, n;
  if ((rc = needGroup(p, e)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, e, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(e, "key")) == NULL) {
    return missing(p, e, "key", " (e.g. \"margin.initial\")");
  }
  if ((rc = numericKeyOf(p, s, pzKey)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(e, "values")) == NULL) {
    return missing(p, e, "values", " (e.g. [0.01, 0.02])");
  }
  if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
    char zPath[PATH_BUF];
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be an array of numbers [ ... ], got %s", zPath,
                 typeName(s));
  }
  n = config_setting_length(s);
  if (n < 1) {
    char zPath[PATH_BUF];
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must not be empty", zPath);
  }
  for (i = 0; i < n; i++) {
    rc = numberIn(p, config_setting_get_elem(s, (unsigned)i), &rAny, &v);
    if (rc) return rc;
  }
  *pnValues = n;
  return LIQ_OK;
}

/* sweep: shape only (the sweep command reads it). */
static int validateSweep(Loader *p, const config_setting_t *g) {
  static const char *const azKeys[] = {"replicates", "grid", "mode", NULL};
  static const char *const azModes[] = {"product", "zip", NULL};
  const config_setting_t *s, *sGrid;
  long long n;
  int rc, i, iMode = 0, nFirst = -1;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "replicates")) != NULL &&
      (rc = integerIn(p, s, 1, INT_MAX, &n)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "mode")) != NULL &&
      (rc = chooseName(p, s, azModes, NULL, &iMode)) != LIQ_OK) {
    return rc;
  }
  if ((sGrid = config_setting_get_member(g, "grid")) == NULL) return LIQ_OK;
  if (!config_setting_is_list(sGrid)) {
    return badAt(p, sGrid, "sweep.grid must be a list of groups ( { key = "
                 "...; values = [...]; }, ... ), got %s", typeName(sGrid));
  }
  for (i = 0; i < config_setting_length(sGrid); i++) {
    const config_setting_t *e = config_setting_get_elem(sGrid, (unsigned)i);
    const char *zKey;
    int j, nValues = 0;
    if ((rc = validateGridEntry(p, e, &zKey, &nValues)) != LIQ_OK) return rc;
    for (j = 0; j < i; j++) {
      const config_setting_t *o = config_setting_get_elem(sGrid, (unsigned)j);
      const char *zOther = config_setting_get_string(
          config_setting_get_member(o, "key"));
      if (strcmp(zKey, zOther) == 0) {
        return badAt(p, e, "sweep.grid[%d] repeats key \"%s\" of "
                     "sweep.grid[%d]", i, zKey, j);
      }
    }
    if (iMode == 1 && nFirst >= 0 && nValues != nFirst) {
      return badAt(p, e, "sweep.grid[%d] has %d values but sweep.grid[0] has "
                   "%d (mode zip pairs values one to one)", i, nValues, nFirst);
    }
    if (nFirst < 0) nFirst = nValues;
  }
  return LIQ_OK;
}

/* calibrate: shape only (the calibrate command reads it). */
static int validateCalibrate(Loader *p, const config_setting_t *g) {
  static const char *const azKeys[] = {"key", "target", "max", NULL};
  const config_setting_t *s;
  const char *z = NULL;
  double v;
  int rc;
  if (g == NULL) return LIQ_OK;
  if ((rc = needGroup(p, g)) != LIQ_OK) return rc;
  if ((rc = checkKeys(p, g, azKeys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "key")) == NULL) {
    return missing(p, g, "key", " (e.g. \"margin.initial\")");
  }
  if ((rc = numericKeyOf(p, s, &z)) != LIQ_OK) return rc;
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
  "impact", "insurance", "stats", "sweep", "calibrate", NULL};
static const Refusal aTopNo[] = {
  {"funding", "is not implemented yet (no funding payments)"},
  {NULL, NULL}};

static int validate(Loader *p, const config_setting_t *root, liq_scenario *sc) {
  const config_setting_t *s;
  long long seed = 1;
  int rc;
  if ((rc = checkKeys(p, root, azTopKeys, aTopNo)) != LIQ_OK) return rc;
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
  rc = validateStats(p, config_setting_get_member(root, "stats"), &sc->stats);
  if (rc) return rc;
  if ((rc = validateSweep(p, config_setting_get_member(root, "sweep"))) != 0) {
    return rc;
  }
  return validateCalibrate(p, config_setting_get_member(root, "calibrate"));
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

/*
** libconfig 1.5 reads an integer literal into a 32-bit int and silently
** wraps anything wider (from = 1584050580000 would become garbage).
** Copy 'zText' into *pzOut with an 'L' after every such literal, which
** makes it a 64-bit one; strings and comments are left alone.  Literals
** beyond 64 bits are an error at their line.
*/
static int widenIntegers(Loader *p, const char *zText, char **pzOut) {
  Buf b = {NULL, 0, 0, 0};
  const char *z = zText, *zCopied = zText;
  int iLine = 1;
  while (*z) {
    char c = *z;
    if (c == '\n') {
      iLine++;
      z++;
    } else if (c == '"') {                       /* string */
      for (z++; *z && *z != '"'; z++) {
        if (*z == '\\' && z[1]) z++;
        else if (*z == '\n') iLine++;
      }
      if (*z) z++;
    } else if (c == '#' || (c == '/' && z[1] == '/')) {   /* line comment */
      while (*z && *z != '\n') z++;
    } else if (c == '/' && z[1] == '*') {       /* block comment */
      for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
        if (*z == '\n') iLine++;
      }
      if (*z) z += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
      while ((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') ||
             (*z >= '0' && *z <= '9') || *z == '_' || *z == '-' || *z == '*') {
        z++;                                     /* name or true/false */
      }
    } else if (c >= '0' && c <= '9') {
      const char *zStart = z;
      int neg = z > zText && z[-1] == '-', hex, allDigits = 1;
      unsigned long long v = 0, lim;
      int over = 0;
      hex = c == '0' && (z[1] == 'x' || z[1] == 'X');
      if (hex) z += 2;
      for (; (*z >= '0' && *z <= '9') || (*z >= 'a' && *z <= 'z') ||
             (*z >= 'A' && *z <= 'Z') || *z == '.' || *z == '_'; z++) {
        unsigned d;
        if ((*z == 'e' || *z == 'E') && !hex && (z[1] == '+' || z[1] == '-')) {
          z++;                                   /* exponent sign */
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
      if (!allDigits) continue;                  /* float, 5L, or junk */
      lim = hex ? 0xFFFFFFFFFFFFFFFFull : neg ? 0x8000000000000000ull
                                              : 0x7FFFFFFFFFFFFFFFull;
      if (over || v > lim) {
        free(b.z);
        return liq_errf(p->err, LIQ_INPUT, p->zFile, iLine,
                        "integer %.*s is out of range (at most 64 bits; "
                        "write a float such as 1e20)", (int)(z - zStart),
                        zStart);
      }
      if (v > (hex ? 0xFFFFFFFFull : neg ? 0x80000000ull : 0x7FFFFFFFull)) {
        bufAppend(&b, zCopied, (size_t)(z - zCopied));
        bufPuts(&b, "L");
        zCopied = z;
      }
    } else {
      z++;
    }
  }
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
  config_set_auto_convert(&cfg, 0);
  if (p->zDir[0]) config_set_include_dir(&cfg, p->zDir);
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
