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

/* A number formatted to round-trip, for messages: liq_scn_num(x).z */
num_text liq_scn_num(double v) {
  num_text n;
  int prec;
  for (prec = 15; prec < 17; prec++) {
    snprintf(n.z, sizeof n.z, "%.*g", prec, v);
    if (strtod(n.z, NULL) == v) return n;
  }
  snprintf(n.z, sizeof n.z, "%.17g", v);
  return n;
}

void liq_scn_buf_append(str_buf *b, const char *z, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    char *new;
    while (cap < b->n + n + 1) cap *= 2;
    new = realloc(b->z, cap);
    if (new == NULL) {
      b->oom = 1;
      return;
    }
    b->z = new;
    b->cap = cap;
  }
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = '\0';
}

void liq_scn_buf_puts(str_buf *b, const char *z) { liq_scn_buf_append(b, z, strlen(z)); }

char *liq_scn_dup_string(const char *z) {
  size_t n = strlen(z) + 1;
  char *new = malloc(n);
  if (new) memcpy(new, z, n);
  return new;
}

/* ------------------------------------------------------------------ */
/* Locating and reporting errors                                      */
/* ------------------------------------------------------------------ */

/* The override that set 's', or NULL when 's' comes from the file. */
static const liq_override *override_of(const config_setting_t *s) {
  return s ? (const liq_override *)config_setting_get_hook(s) : NULL;
}

/*
** Where an error about 's' is: "--set" and the override's 1-based index
** when an override made 's', else the file and the setting's line (line 1
** for the root, whose line is 0).
*/
static void setting_where(const loader *p, const config_setting_t *s,
                         const char **file, int *line) {
  const liq_override *o = override_of(s);
  if (o) {
    *file = "--set";
    *line = (int)(o - p->ov) + 1;
    return;
  }
  *file = (s && config_setting_source_file(s)) ? config_setting_source_file(s)
                                                 : p->file;
  *line = s ? (int)config_setting_source_line(s) : 0;
  if (*line < 1) *line = 1;
}

/* The liq_where of setting 's' (may be NULL: unknown), for errors found
** after loading. */
liq_where liq_scn_where_of(const loader *p, const config_setting_t *s) {
  liq_where w = {0, 0};
  const liq_override *o = override_of(s);
  if (s == NULL) return w;
  if (o) {
    w.set = (int)(o - p->ov) + 1;
    return w;
  }
  w.line = (int)config_setting_source_line(s);
  if (w.line < 1) w.line = 1;
  return w;
}

/* The dotted path of 's' from the root ("" for the root itself). */
void liq_scn_setting_path(const config_setting_t *s, char *z, size_t n) {
  const config_setting_t *parent = s ? config_setting_parent(s) : NULL;
  size_t len;
  if (n == 0) return;
  z[0] = '\0';
  if (parent == NULL) return;
  liq_scn_setting_path(parent, z, n);
  len = strlen(z);
  if (config_setting_name(s)) {
    snprintf(z + len, n - len, "%s%s", len ? "." : "", config_setting_name(s));
  } else {
    snprintf(z + len, n - len, "[%d]", config_setting_index(s));
  }
}

static int bad_at_v(loader *p, const config_setting_t *s, const char *fmt,
                  va_list ap) {
  char msg[1024];
  const char *where;
  int line;
  const liq_override *o = override_of(s);
  vsnprintf(msg, sizeof msg, fmt, ap);
  setting_where(p, s, &where, &line);
  if (o != NULL)        /* name the override the error is about */
    return liq_errf(p->err, LIQ_INPUT, where, line, "%s: %s", o->assignment,
                    msg);
  return liq_errf(p->err, LIQ_INPUT, where, line, "%s", msg);
}

/* Report LIQ_INPUT located at setting 's'. */
int liq_scn_bad_at(loader *p, const config_setting_t *s, const char *fmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = bad_at_v(p, s, fmt, ap);
  va_end(ap);
  return rc;
}

/* Report an error about two settings at 'a', unless only 'b' was set by
** an override: then the override is the likelier culprit. */
int liq_scn_bad_at2(loader *p, const config_setting_t *a,
           const config_setting_t *b, const char *fmt, ...) {
  va_list ap;
  int rc;
  const config_setting_t *s = (override_of(b) && !override_of(a)) ? b : a;
  va_start(ap, fmt);
  rc = bad_at_v(p, s, fmt, ap);
  va_end(ap);
  return rc;
}

const char *liq_scn_type_name(const config_setting_t *s) {
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

/* "'key' of 'g' is required<why>", located at the group 'g'. */
int liq_scn_missing(loader *p, const config_setting_t *g, const char *key,
            const char *why) {
  char path[PATH_BUF];
  liq_scn_setting_path(g, path, sizeof path);
  return liq_scn_bad_at(p, g, "%s%s%s is required%s", path, path[0] ? "." : "",
               key, why);
}

/* ------------------------------------------------------------------ */
/* Typed access to settings                                           */
/* ------------------------------------------------------------------ */

int liq_scn_is_one_of(const char *z, const char *const *az) {
  for (; *az; az++) {
    if (strcmp(z, *az) == 0) return 1;
  }
  return 0;
}

static void join_list(const char *const *az, char *z, size_t n) {
  size_t len = 0;
  z[0] = '\0';
  for (; *az && len < n; az++) {
    len += (size_t)snprintf(z + len, n - len, "%s%s", len ? ", " : "", *az);
  }
}

/* "a, b or c" */
static void join_or(const char *const *az, char *z, size_t n) {
  size_t len = 0;
  int i;
  z[0] = '\0';
  for (i = 0; az[i] && len < n; i++) {
    const char *sep = i == 0 ? "" : az[i + 1] ? ", " : " or ";
    len += (size_t)snprintf(z + len, n - len, "%s%s", sep, az[i]);
  }
}

/*
** Report member 'm' of group 'g', which is not in 'ok_names': with its reason
** when 'no' (may be NULL) lists it, else as unknown.
*/
static int reject_key(loader *p, const config_setting_t *g,
                     const config_setting_t *m, const char *const *ok_names,
                     const refusal *no) {
  const char *name = config_setting_name(m);
  const refusal *r;
  char path[PATH_BUF], ok_list[512];
  liq_scn_setting_path(m, path, sizeof path);
  for (r = no; r && r->key; r++) {
    if (strcmp(r->key, name) == 0) {
      return liq_scn_bad_at(p, m, "%s %s", path, r->why);
    }
  }
  join_list(ok_names, ok_list, sizeof ok_list);
  liq_scn_setting_path(g, path, sizeof path);
  return liq_scn_bad_at(p, m, "unknown key '%s' %s%s (expected one of: %s)", name,
               path[0] ? "in " : "at top level", path, ok_list);
}

/*
** Reject members of group 'g' that are not in 'ok_names': a key listed in
** 'no' (may be NULL) with its reason, any other as unknown.  Members are
** checked in file order, so the first bad key is reported.
*/
int liq_scn_check_keys(loader *p, const config_setting_t *g,
              const char *const *ok_names, const refusal *no) {
  int i, n = config_setting_length(g);
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    if (!liq_scn_is_one_of(config_setting_name(m), ok_names)) {
      return reject_key(p, g, m, ok_names, no);
    }
  }
  return LIQ_OK;
}

/*
** liq_scn_check_keys() for a group with a selector: the member 'sel' chose
** sel_names[sel_index] (sel_index -1: the selector is missing, every key in 'key' is
** accepted).  A key that only other values take is a warning (liq_scn_warn_at():
** known, but not used by this value); a key no value takes is an error.
*/
int liq_scn_check_sel_keys(loader *p, const config_setting_t *g,
                 const char *sel, const char *const *sel_names, int sel_index,
                 const sel_key *key, const refusal *no) {
  const char *ok_names[MAX_SEL_KEYS + 1], *user_names[MAX_SEL_KEYS + 1];
  char path[PATH_BUF], users_text[256];
  size_t n_ok = 0, n_users;
  int i, j, n = config_setting_length(g);
  for (i = 0; key[i].key && n_ok < MAX_SEL_KEYS; i++) {
    if (sel_index < 0 || (key[i].users_mask >> sel_index) & 1u) ok_names[n_ok++] = key[i].key;
  }
  ok_names[n_ok] = NULL;
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    const char *name = config_setting_name(m);
    const sel_key *k;
    if (liq_scn_is_one_of(name, ok_names)) continue;
    for (k = key; k->key && strcmp(k->key, name) != 0; k++) {}
    if (k->key == NULL) return reject_key(p, g, m, ok_names, no);
    for (j = 0, n_users = 0; sel_names[j] && n_users < MAX_SEL_KEYS; j++) {
      if ((k->users_mask >> j) & 1u) user_names[n_users++] = sel_names[j];
    }
    user_names[n_users] = NULL;
    join_or(user_names, users_text, sizeof users_text);
    liq_scn_setting_path(m, path, sizeof path);
    /* A known key the chosen value does not use is a warning, so that
    ** --set impact.model=none (or a sweep axis over a selector) runs on a
    ** scenario that names the other values' keys. */
    liq_scn_warn_at(p, m, "%s is not used when %s is %s (only when %s is %s); ignored",
            path, sel, sel_names[sel_index], sel, users_text);
  }
  return LIQ_OK;
}


void liq_scn_warn_at(loader *p, const config_setting_t *s, const char *fmt, ...) {
  const char *file;
  int line;
  char msg[256];
  size_t len;
  va_list ap;
  if (p->sc == NULL) return;
  setting_where(p, s, &file, &line);
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  len = strlen(p->sc->warnings);
  if (len + 1 >= sizeof p->sc->warnings) return;
  snprintf(p->sc->warnings + len, sizeof p->sc->warnings - len, "%s:%d: %s\n",
           file, line, msg);
}

/* 's' must be a group. */
int liq_scn_need_group(loader *p, const config_setting_t *s) {
  char path[PATH_BUF];
  if (config_setting_is_group(s)) return LIQ_OK;
  liq_scn_setting_path(s, path, sizeof path);
  return liq_scn_bad_at(p, s, "%s must be a group { ... }, got %s", path, liq_scn_type_name(s));
}

/* 'v', the value of 's', must lie in 'r'. */
static int check_range(loader *p, const config_setting_t *s, double v,
                      const num_range *r) {
  char path[PATH_BUF];
  int ok = (r->lo_open ? v > r->lo : v >= r->lo) &&
           (r->hi_open ? v < r->hi : v <= r->hi);
  if (ok) return LIQ_OK;
  liq_scn_setting_path(s, path, sizeof path);
  if (isinf(r->hi)) {
    return liq_scn_bad_at(p, s, "%s must be %s %s, got %s", path,
                 r->lo_open ? ">" : ">=", liq_scn_num(r->lo).z, liq_scn_num(v).z);
  }
  return liq_scn_bad_at(p, s, "%s must be in %c%s, %s%c, got %s", path,
               r->lo_open ? '(' : '[', liq_scn_num(r->lo).z, liq_scn_num(r->hi).z,
               r->hi_open ? ')' : ']', liq_scn_num(v).z);
}

/* A finite number (int or float setting) in range 'r'. */
int liq_scn_number_in(loader *p, const config_setting_t *s, const num_range *r,
             double *pr) {
  char path[PATH_BUF];
  double v;
  int rc;
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:   v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
    default:
      liq_scn_setting_path(s, path, sizeof path);
      return liq_scn_bad_at(p, s, "%s must be a number, got %s", path, liq_scn_type_name(s));
  }
  if (!isfinite(v)) {
    liq_scn_setting_path(s, path, sizeof path);
    return liq_scn_bad_at(p, s, "%s must be finite, got %s", path, liq_scn_num(v).z);
  }
  if ((rc = check_range(p, s, v, r)) != LIQ_OK) return rc;
  *pr = v;
  return LIQ_OK;
}

/*
** A whole number in [lo, hi]: an int setting, or a float one with no
** fractional part (positions = 1e5).
*/
int liq_scn_integer_in(loader *p, const config_setting_t *s, long long lo,
              long long hi, long long *pr) {
  char path[PATH_BUF];
  long long v;
  liq_scn_setting_path(s, path, sizeof path);
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:   v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
      double d = config_setting_get_float(s);
      if (!isfinite(d)) {
        return liq_scn_bad_at(p, s, "%s must be finite, got %s", path, liq_scn_num(d).z);
      }
      if (d != floor(d)) {
        return liq_scn_bad_at(p, s, "%s must be a whole number, got %s", path, liq_scn_num(d).z);
      }
      /* (double)LLONG_MAX rounds up to 2^63, so compare with 2^63 itself:
      ** only d in [-2^63, 2^63) converts to long long. */
      if (!(d >= -0x1p63 && d < 0x1p63) || (long long)d < lo ||
          (long long)d > hi) {
        if (d < (double)lo && hi >= INT_MAX) {
          return liq_scn_bad_at(p, s, "%s must be >= %lld, got %s", path, lo, liq_scn_num(d).z);
        }
        return liq_scn_bad_at(p, s, "%s must be in [%lld, %lld], got %s", path, lo, hi,
                     liq_scn_num(d).z);
      }
      v = (long long)d;
      break;
    }
    default:
      return liq_scn_bad_at(p, s, "%s must be an integer, got %s", path, liq_scn_type_name(s));
  }
  if (v < lo || v > hi) {
    if (v < lo && hi >= INT_MAX) {   /* the upper bound is only a type limit */
      return liq_scn_bad_at(p, s, "%s must be >= %lld, got %lld", path, lo, v);
    }
    return liq_scn_bad_at(p, s, "%s must be in [%lld, %lld], got %lld", path, lo, hi, v);
  }
  *pr = v;
  return LIQ_OK;
}

int liq_scn_bool_of(loader *p, const config_setting_t *s, int *pr) {
  char path[PATH_BUF];
  if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
    liq_scn_setting_path(s, path, sizeof path);
    return liq_scn_bad_at(p, s, "%s must be true or false, got %s", path, liq_scn_type_name(s));
  }
  *pr = config_setting_get_bool(s) ? 1 : 0;
  return LIQ_OK;
}

int liq_scn_string_of(loader *p, const config_setting_t *s, const char **pz) {
  char path[PATH_BUF];
  if (config_setting_type(s) != CONFIG_TYPE_STRING) {
    liq_scn_setting_path(s, path, sizeof path);
    return liq_scn_bad_at(p, s, "%s must be a string, got %s", path, liq_scn_type_name(s));
  }
  *pz = config_setting_get_string(s);
  return LIQ_OK;
}

/*
** An array [..] or list (..) of 1..n_max finite numbers in 'r' into a[];
** *pn gets the count.  n_min may be 0.
*/
int liq_scn_numbers_in(loader *p, const config_setting_t *s, size_t n_min,
              size_t n_max, const num_range *r, double *a, size_t *pn) {
  char path[PATH_BUF];
  int i, n;
  if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
    liq_scn_setting_path(s, path, sizeof path);
    return liq_scn_bad_at(p, s, "%s must be an array of numbers [ ... ], got %s", path,
                 liq_scn_type_name(s));
  }
  n = config_setting_length(s);
  if ((size_t)n < n_min || (size_t)n > n_max) {
    liq_scn_setting_path(s, path, sizeof path);
    return liq_scn_bad_at(p, s, "%s must have %zu to %zu values, got %d", path, n_min,
                 n_max, n);
  }
  for (i = 0; i < n; i++) {
    int rc = liq_scn_number_in(p, config_setting_get_elem(s, (unsigned)i), r, &a[i]);
    if (rc) return rc;
  }
  *pn = (size_t)n;
  return LIQ_OK;
}

/* The optional member 'key' of 'g' as a number in 'r'; *pr keeps its
** default when the key is absent. */
int liq_scn_opt_number(loader *p, const config_setting_t *g, const char *key,
              const num_range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, key);
  return s ? liq_scn_number_in(p, s, r, pr) : LIQ_OK;
}

/* The required member 'key' of 'g' as a number in 'r'. */
int liq_scn_req_number(loader *p, const config_setting_t *g, const char *key,
              const char *why, const num_range *r, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, key);
  return s ? liq_scn_number_in(p, s, r, pr) : liq_scn_missing(p, g, key, why);
}

/*
** Match the string setting 's' against 'ok_names' (*pi gets the index).
*/
int liq_scn_choose_name(loader *p, const config_setting_t *s,
               const char *const *ok_names, int *pi) {
  char path[PATH_BUF], ok_list[256];
  const char *z = NULL;
  int rc = liq_scn_string_of(p, s, &z), i;
  if (rc) return rc;
  for (i = 0; ok_names[i]; i++) {
    if (strcmp(z, ok_names[i]) == 0) {
      *pi = i;
      return LIQ_OK;
    }
  }
  liq_scn_setting_path(s, path, sizeof path);
  join_or(ok_names, ok_list, sizeof ok_list);
  return liq_scn_bad_at(p, s, "%s \"%s\" is unknown (expected %s)", path, z, ok_list);
}

/* ------------------------------------------------------------------ */
/* Dates                                                              */
/* ------------------------------------------------------------------ */

/* A window bound: Unix ms (a whole number) or a date string. */
int liq_scn_time_of(loader *p, const config_setting_t *s, int64_t *pms) {
  char path[PATH_BUF];
  long long v;
  liq_scn_setting_path(s, path, sizeof path);
  switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT: {
      int rc = liq_scn_integer_in(p, s, LLONG_MIN, LLONG_MAX, &v);
      if (rc) return rc;
      if (liq_time_looks_like_seconds(v)) {
        char hint[256];
        liq_time_seconds_hint(v, hint, sizeof hint);
        return liq_scn_bad_at(p, s, "%s = %s", path, hint);
      }
      *pms = v;
      return LIQ_OK;
    }
    case CONFIG_TYPE_STRING:
      if (liq_time_parse_date(config_setting_get_string(s), pms) == 0) return LIQ_OK;
      return liq_scn_bad_at(p, s,
                   "%s \"%s\" is not a date (expected \"YYYY-MM-DD\", "
                   "\"YYYY-MM-DD HH:MM\" or \"YYYY-MM-DD HH:MM:SS\", UTC)",
                   path, config_setting_get_string(s));
    default:
      return liq_scn_bad_at(p, s,
                   "%s must be a date string \"YYYY-MM-DD[ HH:MM[:SS]]\" (UTC) "
                   "or Unix milliseconds, got %s",
                   path, liq_scn_type_name(s));
  }
}

static int syntax_error(loader *p, const config_t *cfg) {
  const char *file = config_error_file(cfg) ? config_error_file(cfg) : p->file;
  const char *text = config_error_text(cfg) ? config_error_text(cfg)
                                             : "cannot parse";
  const char *hint = "";
  if (strstr(text, "mismatched element type")) {
    hint = " (write all numbers of an array alike, e.g. [2.0, 5.0], or use "
            "a list ( ... ))";
  } else if (strcmp(text, "syntax error") == 0) {
    hint = " (expected libconfig: name = value; groups { ... }; arrays "
            "[ ... ]; lists ( ... ); strings in double quotes)";
  }
  return liq_errf(p->err, LIQ_INPUT, file, config_error_line(cfg) > 0
                  ? config_error_line(cfg) : 1, "%s%s", text, hint);
}

/* Parse, override and validate 'text' into the new scenario 'sc'. */
static int load_config(loader *p, const char *text, liq_scenario *sc) {
  config_t cfg;
  char *wide = NULL;
  int rc;
  config_init(&cfg);
  config_set_auto_convert(&cfg, 0);     /* @include: see liq_scn_widen_integers() */
  rc = liq_scn_widen_integers(p, text, &wide);
  if (rc == LIQ_OK && !config_read_string(&cfg, wide)) {
    rc = syntax_error(p, &cfg);
  }
  if (rc == LIQ_OK && config_setting_length(config_root_setting(&cfg)) == 0) {
    rc = liq_errf(p->err, LIQ_INPUT, p->file, 1, "empty scenario file "
                  "(expected settings such as price = { ... };)");
  }
  if (rc == LIQ_OK) rc = liq_scn_apply_overrides(p, &cfg);
  if (rc == LIQ_OK) rc = liq_scn_validate(p, config_root_setting(&cfg), sc);
  if (rc == LIQ_OK) rc = liq_scn_params_json(p, &sc->params_json);
  if (rc == LIQ_OK) rc = liq_scn_params_note_initial_from(p, &sc->margin, &sc->params_json);
  config_destroy(&cfg);
  free(wide);
  return rc;
}

/* Copy the n overrides into sc->set (a sweep applies them to each point). */
static int keep_overrides(liq_scenario *sc, const liq_override *ov, size_t n,
                          liq_err *err) {
  size_t i;
  if (n == 0) return LIQ_OK;
  if ((sc->set = calloc(n, sizeof *sc->set)) == NULL)
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  for (i = 0; i < n; i++) {
    const char *z = ov[i].assignment ? ov[i].assignment : "";
    if ((sc->set[i] = liq_scn_dup_string(z)) == NULL)
      return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    sc->n_set = i + 1;
  }
  return LIQ_OK;
}

/* Load from text already in memory; 'text' is copied into the struct. */
static int load_text(const char *text, const char *file, const char *dir,
                    const liq_override *ov, size_t n, liq_scenario **out,
                    liq_err *err) {
  loader L;
  liq_scenario *sc;
  int rc;
  L.file = file;
  L.dir = dir;
  L.ov = ov;
  L.n_ov = ov ? n : 0;
  L.err = err;
  L.sc = NULL;
  if (strlen(file) >= sizeof sc->path) {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "scenario path is too long (at "
                    "most %zu bytes)", sizeof sc->path - 1);
  }
  if ((sc = calloc(1, sizeof *sc)) == NULL ||
      (sc->text = liq_scn_dup_string(text)) == NULL) {
    free(sc);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  snprintf(sc->path, sizeof sc->path, "%s", file);
  L.sc = sc;
  rc = keep_overrides(sc, ov, L.n_ov, err);
  if (rc == LIQ_OK) rc = load_config(&L, text, sc);
  if (rc != LIQ_OK) {
    liq_scenario_free(sc);
    return rc;
  }
  *out = sc;
  return LIQ_OK;
}

/*
** Read all of 'path' into a new NUL-terminated string.  A FIFO would block
** fopen() forever and /dev/zero never ends: only regular files are opened
** (checked before opening), and at most LIQ_SCENARIO_MAX_BYTES are read.
*/
static int read_whole(const char *path, char **pz, size_t *pn, liq_err *err) {
  str_buf b = {NULL, 0, 0, 0};
  char chunk[8192];
  size_t n_read;
  struct stat st;
  FILE *f;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    return liq_errf(err, LIQ_INPUT, path, 1, "scenario is not a regular file "
                    "(%s; expected a text file)", S_ISDIR(st.st_mode)
                    ? "a directory" : S_ISFIFO(st.st_mode) ? "a pipe"
                    : "a device or socket");
  }
  if ((f = fopen(path, "rb")) == NULL) {
    return liq_errf(err, LIQ_IO, path, 0, "cannot open scenario: %s",
                    strerror(errno));
  }
  while ((n_read = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.n + n_read > LIQ_SCENARIO_MAX_BYTES) {
      int line = 1;
      size_t i;
      for (i = 0; i < b.n; i++) line += b.z[i] == '\n';
      fclose(f);
      free(b.z);
      return liq_errf(err, LIQ_INPUT, path, line, "scenario file is larger "
                      "than %d MB (a scenario is a short text file)",
                      LIQ_SCENARIO_MAX_BYTES >> 20);
    }
    liq_scn_buf_append(&b, chunk, n_read);
    if (b.oom) break;
  }
  if (ferror(f)) {
    int e = errno;
    fclose(f);
    free(b.z);
    return liq_errf(err, LIQ_IO, path, 0, "cannot read scenario: %s",
                    strerror(e));
  }
  fclose(f);
  if (b.z == NULL && !b.oom) liq_scn_buf_puts(&b, "");
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
  char *text = NULL, *dir = NULL, *slash;
  size_t n_text = 0;
  int rc;
  *out = NULL;
  if (path == NULL || path[0] == '\0') {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "no scenario file given");
  }
  if ((rc = read_whole(path, &text, &n_text, err)) != LIQ_OK) return rc;
  if (strlen(text) != n_text) {
    const char *z;
    int line = 1;
    for (z = text; *z; z++) line += *z == '\n';
    free(text);
    return liq_errf(err, LIQ_INPUT, path, line, "scenario file contains a "
                    "NUL byte (expected text)");
  }
  if ((dir = liq_scn_dup_string(path)) == NULL) {
    free(text);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  slash = strrchr(dir, '/');
  if (slash == NULL) dir[0] = '\0';
  else if (slash == dir) dir[1] = '\0';   /* "/x.cfg": the root */
  else *slash = '\0';
  rc = load_text(text, path, dir, ov, n, out, err);
  free(dir);
  free(text);
  return rc;
}

int liq_scenario_load_string(const char *text, const char *name,
                             const liq_override *ov, size_t n,
                             liq_scenario **out, liq_err *err) {
  *out = NULL;
  if (text == NULL) {
    return liq_errf(err, LIQ_USAGE, NULL, 0, "no scenario text given");
  }
  return load_text(text, name ? name : "<string>", "", ov, n, out, err);
}

int liq_scenario_errf(const liq_scenario *sc, liq_where w, liq_err *err,
                      const char *fmt, ...) {
  char msg[sizeof err->msg];
  const char *file = sc && sc->path[0] ? sc->path : NULL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (w.set > 0) return liq_errf(err, LIQ_INPUT, "--set", w.set, "%s", msg);
  return liq_errf(err, LIQ_INPUT, file, w.line > 0 ? w.line : 0, "%s", msg);
}

int liq_scenario_locate(const liq_scenario *sc, liq_where w, int rc,
                        liq_err *err) {
  char msg[sizeof err->msg];
  if (rc != LIQ_INPUT || err == NULL || err->file[0] != '\0') return rc;
  snprintf(msg, sizeof msg, "%s", err->msg);
  return liq_scenario_errf(sc, w, err, "%s", msg);
}

void liq_scenario_free(liq_scenario *sc) {
  size_t i;
  if (sc == NULL) return;
  for (i = 0; i < sc->n_set; i++) free(sc->set[i]);
  free(sc->set);
  free(sc->text);
  free(sc->params_json);
  free(sc->funding.events);
  free(sc);
}

/*
** The quantile's percentage with two integer digits and up to four
** decimals, '_' for the point, trailing zeros dropped: 0.995 -> "q99_5".
*/
void liq_quantile_label(double q, char *buf, size_t size) {
  long long v, whole, frac;
  char frac_text[8];
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
  snprintf(frac_text, sizeof frac_text, "%04lld", frac);
  n = strlen(frac_text);
  while (n > 0 && frac_text[n - 1] == '0') frac_text[--n] = '\0';
  snprintf(buf, size, "q%02lld_%s", whole, frac_text);
}

