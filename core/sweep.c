/*
** sweep.c: the sweep plan (see liq_sweep.h): grid points and tasks of a
** scenario's sweep section, task ids and shards, the point scenarios; the
** execution is in sweep_exec.c, a replicate's seeds in inputs.c.
**
** Expansion.  liq_sweep_count() and liq_sweep_point_index() turn a task id
** into (grid point, replicate) and a grid point into one value per axis;
** liq_sweep_load_point() loads the point's scenario through the ordinary
** --set path, so a grid value is validated exactly like an override, and
** an error is moved from "--set:N" to the sweep.grid entry of the file.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_sweep.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liq_inputs.h"
#include "sweep_int.h"

/* ------------------------------------------------------------------------
** Expansion
*/

int liq_sweep_count(const liq_sweep_params *sw, size_t *n_points,
                    size_t *n_tasks, liq_err *err) {
  size_t np = 1, a, r = sw->replicates ? sw->replicates : 1;
  *n_points = *n_tasks = 0;
  if (sw->n_axes > LIQ_MAX_AXES)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "sweep has %zu axes (at most %d)",
                    sw->n_axes, LIQ_MAX_AXES);
  for (a = 0; a < sw->n_axes; a++) {
    size_t nv = sw->axes[a].n_values;
    if (nv == 0 || nv > LIQ_MAX_AXIS_VALUES)
      return liq_errf(err, LIQ_INPUT, NULL, 0,
                      "sweep axis %s has %zu values (1 to %d)", sw->axes[a].key,
                      nv, LIQ_MAX_AXIS_VALUES);
    if (sw->zip) {
      if (a > 0 && nv != sw->axes[0].n_values)
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "sweep mode zip: axis %s has %zu values, %s has %zu",
                        sw->axes[a].key, nv, sw->axes[0].key,
                        sw->axes[0].n_values);
      np = nv;
    } else {
      if (np > LIQ_SWEEP_MAX_TASKS / nv)
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "the sweep grid has more than %u points",
                        LIQ_SWEEP_MAX_TASKS);
      np *= nv;
    }
  }
  if (np > LIQ_SWEEP_MAX_TASKS / r)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "%zu grid points x %zu replicates is more than %u tasks "
                    "(split the sweep into several scenarios)",
                    np, r, LIQ_SWEEP_MAX_TASKS);
  *n_points = np;
  *n_tasks = np * r;
  return LIQ_OK;
}

void liq_sweep_task_of(const liq_sweep_params *sw, size_t task_id,
                       size_t *grid_index, size_t *replicate) {
  size_t r = sw->replicates ? sw->replicates : 1;
  *grid_index = task_id / r;
  *replicate = task_id % r;
}

void liq_sweep_point_index(const liq_sweep_params *sw, size_t grid_index,
                           size_t *idx) {
  size_t a;
  if (sw->zip) {
    for (a = 0; a < sw->n_axes; a++) idx[a] = grid_index;
    return;
  }
  for (a = sw->n_axes; a-- > 0;) {       /* the last axis varies fastest */
    idx[a] = grid_index % sw->axes[a].n_values;
    grid_index /= sw->axes[a].n_values;
  }
}

int liq_sweep_in_shard(size_t task_id, size_t shard_k, size_t shard_n) {
  if (shard_n <= 1) return 1;
  return task_id % shard_n == shard_k - 1;
}

/* A double as text that reads back as the same double; whole numbers
** below 2^53 without a decimal point. */
static void format_value(double v, char *buf, size_t size) {
  int prec;
  if (isinf(v) && v > 0.0) {       /* impact.half_life_seconds = "inf" */
    snprintf(buf, size, "\"inf\"");
    return;
  }
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    snprintf(buf, size, "%.0f", v);
    return;
  }
  for (prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

void liq_sweep_assignment(const liq_sweep_params *sw, size_t axis, size_t v,
                          char *buf, size_t size) {
  char val[64];
  if (sw->axes[axis].categorical) {
    snprintf(buf, size, "%s=\"%s\"", sw->axes[axis].key, sw->axes[axis].names[v]);
    return;
  }
  format_value(sw->axes[axis].values[v], val, sizeof val);
  snprintf(buf, size, "%s=%s", sw->axes[axis].key, val);
}

/* JSON string body: the keys are dotted names, but escape anyway. */
static void json_append_string(char *buf, size_t size, size_t *len,
                               const char *z) {
  if (*len < size) *len += (size_t)snprintf(buf + *len, size - *len, "\"");
  for (; *z && *len < size; z++) {
    unsigned char c = (unsigned char)*z;
    if (c == '"' || c == '\\')
      *len += (size_t)snprintf(buf + *len, size - *len, "\\%c", c);
    else if (c < 0x20)
      *len += (size_t)snprintf(buf + *len, size - *len, "\\u%04x", c);
    else
      *len += (size_t)snprintf(buf + *len, size - *len, "%c", c);
  }
  if (*len < size) *len += (size_t)snprintf(buf + *len, size - *len, "\"");
}

/* {"mode":"product","replicates":R,"axes":[{"key":K,"values":[...]},...]}
** and, when the sweep was started with --set or --seed, "set":["k=v",...]:
** part of the sweep's identity, so resume and merge refuse other ones. */
static char *spec_json(const liq_scenario *base) {
  const liq_sweep_params *sw = &base->sweep;
  size_t size = 256, a, v, len = 0;
  char *buf;
  for (a = 0; a < sw->n_axes; a++) size += 160 + 40 * sw->axes[a].n_values;
  for (a = 0; a < base->n_set; a++) size += 8 + 6 * strlen(base->set[a]);
  buf = malloc(size);
  if (buf == NULL) return NULL;
  len += (size_t)snprintf(buf + len, size - len,
                          "{\"mode\":\"%s\",\"replicates\":%zu,\"axes\":[",
                          sw->zip ? "zip" : "product",
                          sw->replicates ? sw->replicates : 1);
  for (a = 0; a < sw->n_axes && len < size; a++) {
    len += (size_t)snprintf(buf + len, size - len, "%s{\"key\":", a ? "," : "");
    json_append_string(buf, size, &len, sw->axes[a].key);
    if (len < size) len += (size_t)snprintf(buf + len, size - len, ",\"values\":[");
    for (v = 0; v < sw->axes[a].n_values && len < size; v++) {
      char val[64];
      if (v) len += (size_t)snprintf(buf + len, size - len, ",");
      if (sw->axes[a].categorical) {
        json_append_string(buf, size, &len, sw->axes[a].names[v]);
        continue;
      }
      format_value(sw->axes[a].values[v], val, sizeof val);
      if (len < size) len += (size_t)snprintf(buf + len, size - len, "%s", val);
    }
    if (len < size) len += (size_t)snprintf(buf + len, size - len, "]}");
  }
  if (len < size) len += (size_t)snprintf(buf + len, size - len, "]");
  if (base->n_set > 0 && len < size) {
    len += (size_t)snprintf(buf + len, size - len, ",\"set\":[");
    for (a = 0; a < base->n_set && len < size; a++) {
      if (a && len < size) len += (size_t)snprintf(buf + len, size - len, ",");
      json_append_string(buf, size, &len, base->set[a]);
    }
    if (len < size) len += (size_t)snprintf(buf + len, size - len, "]");
  }
  if (len < size) len += (size_t)snprintf(buf + len, size - len, "}");
  if (len >= size) {
    free(buf);
    return NULL;
  }
  return buf;
}

/*
** The line of sweep.grid[axis] in the scenario text (its values or range,
** else the entry itself), 0 when it cannot be found.
*/
static int grid_line(const liq_scenario *base, size_t axis) {
  config_t cfg;
  const config_setting_t *g, *e, *s;
  int line = 0;
  if (base->text == NULL) return 0;
  config_init(&cfg);
  if (config_read_string(&cfg, base->text)) {
    g = config_lookup(&cfg, "sweep.grid");
    e = g ? config_setting_get_elem(g, (unsigned)axis) : NULL;
    s = e ? config_setting_get_member(e, "values") : NULL;
    if (s == NULL && e != NULL) s = config_setting_get_member(e, "range");
    if (s == NULL) s = e;
    if (s != NULL) line = (int)config_setting_source_line(s);
  }
  config_destroy(&cfg);
  return line;
}

int liq_sweep_load_point(const liq_scenario *base, size_t grid_index,
                         liq_scenario **out, liq_err *err) {
  const liq_sweep_params *sw = &base->sweep;
  char assigns[LIQ_MAX_AXES][200];
  liq_override *ovs;
  size_t idx[LIQ_MAX_AXES], a, n_set = base->n_set;
  liq_err e;
  int rc;

  *out = NULL;
  /* The sweep's own --set (and --seed) first, then the point's axes. */
  ovs = calloc(n_set + LIQ_MAX_AXES, sizeof *ovs);
  if (ovs == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  for (a = 0; a < n_set; a++) ovs[a].assignment = base->set[a];
  liq_sweep_point_index(sw, grid_index, idx);
  for (a = 0; a < sw->n_axes; a++) {
    liq_sweep_assignment(sw, a, idx[a], assigns[a], sizeof assigns[a]);
    ovs[n_set + a].assignment = assigns[a];
  }
  liq_err_clear(&e);
  rc = liq_scenario_load(base->path, ovs, n_set + sw->n_axes, out, &e);
  free(ovs);
  if (rc == LIQ_OK) return LIQ_OK;
  if (rc != LIQ_INPUT && rc != LIQ_USAGE) {
    if (err != NULL) *err = e;
    return rc;
  }
  /* An error about one of the sweep's --set stays there. */
  if (strcmp(e.file, "--set") == 0 && e.line >= 1 && (size_t)e.line <= n_set) {
    if (err != NULL) *err = e;
    return rc;
  }
  /* An error about override n_set + k is about sweep.grid[k-1]: locate it there. */
  if (strcmp(e.file, "--set") == 0 && (size_t)e.line > n_set &&
      (size_t)e.line <= n_set + sw->n_axes) {
    size_t k = (size_t)e.line - 1 - n_set;
    size_t n_as = strlen(assigns[k]);
    const char *msg = e.msg;
    /* the message names the override already: say it once */
    if (strncmp(msg, assigns[k], n_as) == 0 && strncmp(msg + n_as, ": ", 2) == 0)
      msg += n_as + 2;
    return liq_errf(err, LIQ_INPUT, base->path, grid_line(base, k),
                    "sweep.grid[%zu] %s (grid point %zu): %s", k, assigns[k],
                    grid_index, msg);
  }
  {
    char all[LIQ_MAX_AXES * 200 + 16];
    size_t len = 0;
    all[0] = '\0';
    for (a = 0; a < sw->n_axes && len < sizeof all; a++)
      len += (size_t)snprintf(all + len, sizeof all - len, "%s%s",
                              a ? ", " : "", assigns[a]);
    return liq_errf(err, LIQ_INPUT, e.file[0] ? e.file : base->path, e.line,
                    "%s (sweep grid point %zu: %s)", e.msg, grid_index, all);
  }
}

static char *dup_string(const char *z) {
  size_t n = strlen(z) + 1;
  char *c = malloc(n);
  if (c != NULL) memcpy(c, z, n);
  return c;
}

void liq_sweep_plan_free(liq_sweep_plan *plan) {
  size_t i;
  if (plan == NULL) return;
  if (plan->points != NULL)
    for (i = 0; i < plan->n_points; i++) {
      free(plan->points[i].params_json);
      free(plan->points[i].warnings);
    }
  free(plan->points);
  free(plan->spec_json);
  free(plan);
}

int liq_sweep_plan_build(const liq_scenario *base, liq_sweep_plan **out,
                         liq_err *err) {
  liq_sweep_plan *plan;
  size_t g;
  int rc;

  *out = NULL;
  if (!base->sweep.present)
    return liq_errf(err, LIQ_INPUT, base->path, 0,
                    "no sweep section (add sweep = { replicates = 10; grid = "
                    "( { key = \"margin.initial\"; values = [0.01, 0.02]; } ); };)");
  plan = calloc(1, sizeof *plan);
  if (plan == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  plan->base = base;
  rc = liq_sweep_count(&base->sweep, &plan->n_points, &plan->n_tasks, err);
  if (rc != LIQ_OK) {
    if (err != NULL && err->file[0] == '\0') {
      size_t n = strlen(base->path);
      if (n >= sizeof err->file) n = sizeof err->file - 1;
      memcpy(err->file, base->path, n);
      err->file[n] = '\0';
    }
    goto fail;
  }
  plan->replicates = base->sweep.replicates ? base->sweep.replicates : 1;
  plan->points = calloc(plan->n_points, sizeof *plan->points);
  plan->spec_json = spec_json(base);
  if (plan->points == NULL || plan->spec_json == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto fail;
  }
  /* Validate every grid point before anything runs. */
  for (g = 0; g < plan->n_points; g++) {
    liq_scenario *sc = NULL;
    int sc_had_warnings;
    rc = liq_sweep_load_point(base, g, &sc, err);
    if (rc != LIQ_OK) goto fail;
    sc_had_warnings = sc->warnings[0] != '\0';
    plan->points[g].params_json = dup_string(sc->params_json ? sc->params_json
                                                              : "{}");
    plan->points[g].seed = sc->seed;
    plan->points[g].steps = sc->steps;
    plan->points[g].positions = sc->book.positions;
    plan->points[g].warnings = sc->warnings[0] ? dup_string(sc->warnings) : NULL;
    plan->points[g].path_hash = liq_inputs_path_hash(sc);
    plan->points[g].book_hash = liq_inputs_book_hash(sc);
    liq_scenario_free(sc);
    if (plan->points[g].params_json == NULL ||
        (plan->points[g].warnings == NULL && sc_had_warnings)) {
      rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto fail;
    }
  }
  *out = plan;
  return LIQ_OK;

fail:
  liq_sweep_plan_free(plan);
  return rc;
}
