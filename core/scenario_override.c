/*
** scenario_override.c: --set overrides and the params JSON.  Each
** override "key=value" walks (or creates) groups from the root and
** replaces one scalar; the new setting's hook points at its liq_override,
** so errors about it say "--set":N.  liq_scn_params_json() writes the overrides as
** the JSON object the runs table stores.
*/
#include "scenario_int.h"
#include "liq_backtest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ------------------------------------------------------------------ */
/* --set overrides                                                    */
/* ------------------------------------------------------------------ */

/* An override split and typed: 'key' and 'text' point into 'buf'. */
typedef struct set_assign {
  char *buf;                 /* owned copy of the assignment */
  char *key;                 /* dotted path, trimmed */
  char *text;                /* value text, trimmed, unquoted for strings */
  int type;                   /* CONFIG_TYPE_BOOL/INT64/FLOAT/STRING */
  long long i;                /* INT64 and BOOL value */
  double d;                   /* FLOAT value */
} set_assign;

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *liq_scn_trim(char *z) {
  size_t n;
  while (is_space(*z)) z++;
  n = strlen(z);
  while (n > 0 && is_space(z[n - 1])) z[--n] = '\0';
  return z;
}

int liq_scn_equals_no_case(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
    if (ca != *b) return 0;
  }
  return *a == *b;
}

/* [+-]digits */
static int is_integer_text(const char *z) {
  if (*z == '+' || *z == '-') z++;
  if (*z == '\0') return 0;
  for (; *z; z++) {
    if (*z < '0' || *z > '9') return 0;
  }
  return 1;
}

/* [+-](digits[.digits]|.digits)([eE][+-]digits): no nan, inf or hex. */
static int is_decimal_text(const char *z) {
  int n_digits = 0;
  if (*z == '+' || *z == '-') z++;
  while (*z >= '0' && *z <= '9') z++, n_digits++;
  if (*z == '.') {
    z++;
    while (*z >= '0' && *z <= '9') z++, n_digits++;
  }
  if (n_digits == 0) return 0;
  if (*z == 'e' || *z == 'E') {
    z++;
    if (*z == '+' || *z == '-') z++;
    if (*z < '0' || *z > '9') return 0;
    while (*z >= '0' && *z <= '9') z++;
  }
  return *z == '\0';
}

/* Each dot-separated part must be a libconfig name: [A-Za-z][-A-Za-z0-9_]*. */
static int is_key_path(const char *z) {
  int at_start = 1;
  for (; *z; z++) {
    char c = *z;
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    int digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (at_start) return 0;
      at_start = 1;
    } else if (at_start) {
      if (!alpha) return 0;
      at_start = 0;
    } else if (!alpha && !digit && c != '_' && c != '-') {
      return 0;
    }
  }
  return !at_start;
}

static void assign_free(set_assign *a) {
  free(a->buf);
  a->buf = NULL;
}

/*
** Split override 'i' into key and typed value.  The type comes from the
** text: true/false, an integer, a decimal number, else a string (one pair
** of double quotes is removed, with \" and \\ inside them).
*/
static int assign_parse(loader *p, size_t i, set_assign *a) {
  const char *in = p->ov[i].assignment;
  int line = (int)i + 1;
  char *eq;
  memset(a, 0, sizeof *a);
  if (in == NULL) {
    return liq_errf(p->err, LIQ_USAGE, "--set", line,
                    "--set needs key=value, got nothing");
  }
  if ((a->buf = liq_scn_dup_string(in)) == NULL) {
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  eq = strchr(a->buf, '=');
  if (eq == NULL) {
    assign_free(a);
    return liq_errf(p->err, LIQ_USAGE, "--set", line,
                    "--set needs key=value (e.g. margin.initial=0.02), got "
                    "\"%s\"", in);
  }
  *eq = '\0';
  a->key = liq_scn_trim(a->buf);
  a->text = liq_scn_trim(eq + 1);
  if (a->key[0] == '\0' || !is_key_path(a->key)) {
    assign_free(a);
    return liq_errf(p->err, LIQ_USAGE, "--set", line,
                    "--set key must be a dotted path of names (e.g. "
                    "margin.initial), got \"%s\"", in);
  }
  if (a->text[0] == '\0') {
    int rc = liq_errf(p->err, LIQ_USAGE, "--set", line,
                      "--set %s= has no value (write \"\" quoted for an "
                      "empty string)", a->key);
    assign_free(a);
    return rc;
  }
  if (liq_scn_equals_no_case(a->text, "true") || liq_scn_equals_no_case(a->text, "false")) {
    a->type = CONFIG_TYPE_BOOL;
    a->i = liq_scn_equals_no_case(a->text, "true");
  } else if (is_integer_text(a->text)) {
    errno = 0;
    a->i = strtoll(a->text, NULL, 10);
    a->type = CONFIG_TYPE_INT64;
    if (errno == ERANGE) {
      a->type = CONFIG_TYPE_FLOAT;
      a->d = strtod(a->text, NULL);
    }
  } else if (is_decimal_text(a->text)) {
    a->type = CONFIG_TYPE_FLOAT;
    a->d = strtod(a->text, NULL);
  } else {
    size_t n = strlen(a->text);
    a->type = CONFIG_TYPE_STRING;
    if (n >= 2 && a->text[0] == '"' && a->text[n - 1] == '"') {
      char *out = a->text, *z;
      a->text[n - 1] = '\0';
      for (z = a->text + 1; *z; z++) {
        if (z[0] == '\\' && (z[1] == '"' || z[1] == '\\')) z++;
        *out++ = *z;
      }
      *out = '\0';
    }
  }
  return LIQ_OK;
}

/* Replace or create the setting override 'i' names, hooked to it. */
static int assign_apply(loader *p, config_t *cfg, size_t i, const set_assign *a) {
  void *hook = (void *)&p->ov[i];    /* identifies; never written */
  int line = (int)i + 1;
  config_setting_t *g = config_root_setting(cfg), *s;
  char *part = a->key, *dot;
  char path[PATH_BUF];
  while ((dot = strchr(part, '.')) != NULL) {
    *dot = '\0';
    s = config_setting_get_member(g, part);
    if (s == NULL) {
      s = config_setting_add(g, part, CONFIG_TYPE_GROUP);
      if (s == NULL) return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
      config_setting_set_hook(s, hook);
    } else if (!config_setting_is_group(s)) {
      liq_scn_setting_path(s, path, sizeof path);
      *dot = '.';
      return liq_errf(p->err, LIQ_INPUT, "--set", line,
                      "--set %s: %s is %s, not a group (--set can only set "
                      "scalars inside groups)", a->key, path, liq_scn_type_name(s));
    }
    *dot = '.';
    g = s;
    part = dot + 1;
  }
  s = config_setting_get_member(g, part);
  if (s != NULL) {
    if (!config_setting_is_scalar(s)) {
      liq_scn_setting_path(s, path, sizeof path);
      return liq_errf(p->err, LIQ_INPUT, "--set", line,
                      "--set can only set scalars, and %s is %s", path,
                      liq_scn_type_name(s));
    }
    config_setting_remove(g, part);
  }
  s = config_setting_add(g, part, a->type);
  if (s == NULL) return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  config_setting_set_hook(s, hook);
  switch (a->type) {
    case CONFIG_TYPE_BOOL:  config_setting_set_bool(s, (int)a->i); break;
    case CONFIG_TYPE_INT64: config_setting_set_int64(s, a->i); break;
    case CONFIG_TYPE_FLOAT: config_setting_set_float(s, a->d); break;
    default:
      if (!config_setting_set_string(s, a->text)) {
        return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
      }
  }
  return LIQ_OK;
}

int liq_scn_apply_overrides(loader *p, config_t *cfg) {
  size_t i;
  for (i = 0; i < p->n_ov; i++) {
    set_assign a;
    int rc = assign_parse(p, i, &a);
    if (rc) return rc;
    rc = assign_apply(p, cfg, i, &a);
    assign_free(&a);
    if (rc) return rc;
  }
  return LIQ_OK;
}

static void json_string(str_buf *b, const char *z) {
  liq_scn_buf_puts(b, "\"");
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      liq_scn_buf_append(b, esc, 2);
    } else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      liq_scn_buf_puts(b, esc);
    } else {
      liq_scn_buf_append(b, z, 1);
    }
  }
  liq_scn_buf_puts(b, "\"");
}

/*
** The overrides as a JSON object, in order; when a key is set twice only
** the later value counts, so only it is written.
*/
int liq_scn_params_json(loader *p, char **pz) {
  str_buf b = {NULL, 0, 0, 0};
  size_t i, j, n_out = 0;
  int rc = LIQ_OK;
  liq_scn_buf_puts(&b, "{");
  for (i = 0; i < p->n_ov && rc == LIQ_OK; i++) {
    set_assign a;
    int later = 0;
    if ((rc = assign_parse(p, i, &a)) != LIQ_OK) break;
    for (j = i + 1; j < p->n_ov && !later; j++) {
      set_assign o;
      if ((rc = assign_parse(p, j, &o)) != LIQ_OK) break;
      later = strcmp(a.key, o.key) == 0;
      assign_free(&o);
    }
    if (rc == LIQ_OK && !later) {
      if (n_out++) liq_scn_buf_puts(&b, ",");
      json_string(&b, a.key);
      liq_scn_buf_puts(&b, ":");
      if (a.type == CONFIG_TYPE_BOOL) {
        liq_scn_buf_puts(&b, a.i ? "true" : "false");
      } else if (a.type == CONFIG_TYPE_INT64) {
        char num[32];
        snprintf(num, sizeof num, "%lld", a.i);
        liq_scn_buf_puts(&b, num);
      } else if (a.type == CONFIG_TYPE_FLOAT && isfinite(a.d)) {
        liq_scn_buf_puts(&b, liq_scn_num(a.d).z);
      } else if (a.type == CONFIG_TYPE_FLOAT) {
        json_string(&b, liq_scn_num(a.d).z);
      } else {
        json_string(&b, a.text);
      }
    }
    assign_free(&a);
  }
  liq_scn_buf_puts(&b, "}");
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


/*
** With margin.initial_from, the run records the initial rate it chose:
** "margin.initial" and "margin.initial_from" ({model, file, confidence,
** horizon_bars, at_ms, short}) are added to the params object *pz.
*/
int liq_scn_params_note_initial_from(loader *p, const liq_margin_params *mp, char **pz) {
  const liq_initial_from *f = &mp->initial_from;
  str_buf b = {NULL, 0, 0, 0};
  char zNum[64];
  size_t n;
  if (!f->present || *pz == NULL) return LIQ_OK;
  n = strlen(*pz);
  if (n < 2 || (*pz)[n - 1] != '}') return LIQ_OK;
  liq_scn_buf_append(&b, *pz, n - 1);
  if (n > 2) liq_scn_buf_puts(&b, ",");
  liq_scn_buf_puts(&b, "\"margin.initial\":");
  liq_scn_buf_puts(&b, liq_scn_num(mp->initial).z);
  liq_scn_buf_puts(&b, ",\"margin.initial_from\":{\"model\":");
  json_string(&b, liq_bt_model_name(f->model));
  liq_scn_buf_puts(&b, ",\"file\":");
  json_string(&b, f->file);
  liq_scn_buf_puts(&b, ",\"confidence\":");
  liq_scn_buf_puts(&b, liq_scn_num(f->confidence).z);
  if (f->horizon_bars) {
    snprintf(zNum, sizeof zNum, ",\"horizon_bars\":%zu", f->horizon_bars);
    liq_scn_buf_puts(&b, zNum);
  }
  if (f->lookback_bars) {
    snprintf(zNum, sizeof zNum, ",\"lookback_bars\":%zu", f->lookback_bars);
    liq_scn_buf_puts(&b, zNum);
  }
  if (f->at_ms != INT64_MAX) {
    snprintf(zNum, sizeof zNum, ",\"at_ms\":%lld", (long long)f->at_ms);
    liq_scn_buf_puts(&b, zNum);
  }
  liq_scn_buf_puts(&b, ",\"short\":");
  liq_scn_buf_puts(&b, liq_scn_num(f->short_rate).z);
  liq_scn_buf_puts(&b, "}}");
  if (b.oom) {
    free(b.z);
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  free(*pz);
  *pz = b.z;
  return LIQ_OK;
}
