/*
** scenario.c: load a scenario file (libconfig syntax), apply --set
** overrides and validate everything into a plain liq_scenario.  This file
** reads and parses, locates errors and gives typed access to settings;
** the passes' other jobs live beside it (see scenario_int.h):
** scenario_lex.c widens integers, scenario_override.c applies --set and
** writes the params JSON, scenario_validate.c holds one validator per group.
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

#include "scenario_int.h"
#include "liq_time.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every file name the scenario holds fits an error's FILE. */
_Static_assert(sizeof(((liq_err *)0)->file) >= LIQ_PATH_MAX,
               "liq_err.file must hold a LIQ_PATH_MAX path");

/* A number formatted to round-trip, for messages: num(x).z */
Num num(double v) {
  Num n;
  int prec;
  for (prec = 15; prec < 17; prec++) {
    snprintf(n.z, sizeof n.z, "%.*g", prec, v);
    if (strtod(n.z, NULL) == v) return n;
  }
  snprintf(n.z, sizeof n.z, "%.17g", v);
  return n;
}

void bufAppend(Buf *b, const char *z, size_t n) {
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

void bufPuts(Buf *b, const char *z) { bufAppend(b, z, strlen(z)); }

char *dupString(const char *z) {
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
liq_where whereOf(const Loader *p, const config_setting_t *s) {
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
void settingPath(const config_setting_t *s, char *z, size_t n) {
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
int badAt(Loader *p, const config_setting_t *s, const char *zFmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = badAtV(p, s, zFmt, ap);
  va_end(ap);
  return rc;
}

/* Report an error about two settings at 'a', unless only 'b' was set by
** an override: then the override is the likelier culprit. */
int badAt2(Loader *p, const config_setting_t *a,
           const config_setting_t *b, const char *zFmt, ...) {
  va_list ap;
  int rc;
  const config_setting_t *s = (overrideOf(b) && !overrideOf(a)) ? b : a;
  va_start(ap, zFmt);
  rc = badAtV(p, s, zFmt, ap);
  va_end(ap);
  return rc;
}

const char *typeName(const config_setting_t *s) {
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
int missing(Loader *p, const config_setting_t *g, const char *zKey,
            const char *zWhy) {
  char zPath[PATH_BUF];
  settingPath(g, zPath, sizeof zPath);
  return badAt(p, g, "%s%s%s is required%s", zPath, zPath[0] ? "." : "",
               zKey, zWhy);
}

/* ------------------------------------------------------------------ */
/* Typed access to settings                                           */
/* ------------------------------------------------------------------ */

int isOneOf(const char *z, const char *const *az) {
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
int checkKeys(Loader *p, const config_setting_t *g,
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
** checkKeys() for a group with a selector: the member 'zSel' chose
** azSel[iSel] (iSel -1: the selector is missing, every key of aKey is
** accepted).  A key that only other values take is rejected with the
** values that take it and the keys this one takes.
*/
int checkSelKeys(Loader *p, const config_setting_t *g,
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
int needGroup(Loader *p, const config_setting_t *s) {
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
int numberIn(Loader *p, const config_setting_t *s, const Range *r,
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
int integerIn(Loader *p, const config_setting_t *s, long long lo,
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

int boolOf(Loader *p, const config_setting_t *s, int *pr) {
  char zPath[PATH_BUF];
  if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
    settingPath(s, zPath, sizeof zPath);
    return badAt(p, s, "%s must be true or false, got %s", zPath, typeName(s));
  }
  *pr = config_setting_get_bool(s) ? 1 : 0;
  return LIQ_OK;
}

int stringOf(Loader *p, const config_setting_t *s, const char **pz) {
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
int numbersIn(Loader *p, const config_setting_t *s, size_t nMin,
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
int optNumber(Loader *p, const config_setting_t *g, const char *zKey,
              const Range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, zKey);
  return s ? numberIn(p, s, r, pr) : LIQ_OK;
}

/* The required member 'zKey' of 'g' as a number in 'r'. */
int reqNumber(Loader *p, const config_setting_t *g, const char *zKey,
              const char *zWhy, const Range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, zKey);
  return s ? numberIn(p, s, r, pr) : missing(p, g, zKey, zWhy);
}

/*
** Match the string setting 's' against 'azOk' (*pi gets the index).
*/
int chooseName(Loader *p, const config_setting_t *s,
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

/* A window bound: Unix ms (a whole number) or a date string. */
int timeOf(Loader *p, const config_setting_t *s, int64_t *pms) {
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
      if (liq_time_parse_date(config_setting_get_string(s), pms) == 0) return LIQ_OK;
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

int liq_scenario_locate(const liq_scenario *sc, liq_where w, int rc,
                        liq_err *err) {
  char zMsg[sizeof err->msg];
  if (rc != LIQ_INPUT || err == NULL || err->file[0] != '\0') return rc;
  snprintf(zMsg, sizeof zMsg, "%s", err->msg);
  return liq_scenario_errf(sc, w, err, "%s", zMsg);
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

