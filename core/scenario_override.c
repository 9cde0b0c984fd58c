/*
** scenario_override.c: --set overrides and the params JSON.  Each
** override "key=value" walks (or creates) groups from the root and
** replaces one scalar; the new setting's hook points at its liq_override,
** so errors about it say "--set":N.  paramsJson() writes the overrides as
** the JSON object the runs table stores.
*/
#include "scenario_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

char *trim(char *z) {
  size_t n;
  while (isSpace(*z)) z++;
  n = strlen(z);
  while (n > 0 && isSpace(z[n - 1])) z[--n] = '\0';
  return z;
}

int equalsNoCase(const char *a, const char *b) {
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

int applyOverrides(Loader *p, config_t *cfg) {
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
int paramsJson(Loader *p, char **pz) {
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

