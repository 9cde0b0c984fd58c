/*
** store_report.c: the text report of stored runs (liq_store_report(), see
** liq_store.h): a run's summary, its worst steps, read back with SQL.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

#define LIQ_STORE_REPORT_TOP     5      /* steps listed by liquidations */

/*
************************************************************************
** Report
************************************************************************
*/

/*
** Format |v| with 'n_dec' decimals and thousands separators into z:
** 1234567.891, 2 -> "1,234,567.89".  Huge values use exponent notation.
*/
static void fmt_grouped(char *z, size_t n, double v, int n_dec) {
  char num[40];
  const char *sign = v < 0 ? "-" : "";
  size_t n_int, i, o = 0;
  char out_buf[48];

  if (isnan(v)) {
    snprintf(z, n, "n/a");
    return;
  }
  if (!isfinite(v) || fabs(v) >= 1e18) {
    snprintf(z, n, "%.3e", v);
    return;
  }
  snprintf(num, sizeof num, "%.*f", n_dec, fabs(v));
  if (strtod(num, NULL) == 0.0) sign = "";      /* no "-0.00" */
  n_int = strcspn(num, ".");
  for (i = 0; i < n_int; i++) {
    if (i > 0 && (n_int - i) % 3 == 0) out_buf[o++] = ',';
    out_buf[o++] = num[i];
  }
  out_buf[o] = '\0';
  snprintf(z, n, "%s%s%s", sign, out_buf, num + n_int);
}

/* Money: "$1,234,567" from $100,000 up, else with cents. */
static void fmt_money(char *z, size_t n, double v) {
  int n_dec = fabs(v) >= 1e5 ? 0 : 2;
  int neg = v < 0 && floor(fabs(v) * (n_dec ? 100.0 : 1.0) + 0.5) > 0;
  size_t k = 0;
  if (isnan(v) || n < 3) {
    snprintf(z, n, "%s", isnan(v) ? "n/a" : "");
    return;
  }
  if (neg) z[k++] = '-';
  z[k++] = '$';
  fmt_grouped(z + k, n - k, fabs(v), n_dec);   /* the number right after the sign */
}

/* A price: grouped with 2 decimals from 1,000 up, 4 from 1, else 6
** significant digits. */
static void fmt_price(char *z, size_t n, double v) {
  if (!isnan(v) && fabs(v) < 1.0 && v != 0.0)
    snprintf(z, n, "%.6g", v);
  else
    fmt_grouped(z, n, v, fabs(v) >= 1000.0 ? 2 : 4);
}

static void fmt_count(char *z, size_t n, sqlite3_int64 v) {
  fmt_grouped(z, n, (double)v, 0);
}

static void fmt_percent(char *z, size_t n, double fraction) {
  if (isnan(fraction)) snprintf(z, n, "n/a");
  else snprintf(z, n, "%.2f%%", 100.0 * fraction);
}

/* Columns of the summary SELECT in report_summary(). */
enum {
  S_POSITIONS, S_LIQUIDATED, S_LIQ_LONG, S_LIQ_SHORT, S_NOTIONAL,
  S_MARGIN_CALLS, S_BAD_DEBT, S_UNCOVERED, S_FEES, S_FUND_START,
  S_FUND_END, S_FUND_MIN, S_ADL, S_ROUNDS, S_START_PRICE, S_MIN_PRICE,
  S_MIN_PRICE_X, S_MAX_PRICE, S_MAX_PRICE_X, S_DRAWDOWN, S_DRAWDOWN_X,
  S_IMPACT_LOW, S_IMPACT_HIGH, S_SHARE_FALL, S_SHARE_RISE, S_STEPS, S_PARTIAL,
  S_TOPUPS, S_TOPUP_COLL, S_FUND_LONG, S_FUND_SHORT, S_HAIRCUT, S_ADL_COUNT,
  S_FIRST_ADL, S_LIQ_NO_IMPACT, S_NOTIONAL_NO_IMPACT, S_BAD_NO_IMPACT
};

#define LIQ_REPORT_LABEL "  %-25s"



/* One "min, max, drawdown" line of a run's summary, from columns i_min,
** i_max and i_dd of the summary row p. */
static void report_price_range(FILE *out, sqlite3_stmt *p, const char *label,
                               int i_min, int i_max, int i_dd) {
  char a[48], b[48], c[48];
  fmt_price(a, sizeof a, store_column_double(p, i_min));
  fmt_price(b, sizeof b, store_column_double(p, i_max));
  fmt_percent(c, sizeof c, store_column_double(p, i_dd));
  fprintf(out, LIQ_REPORT_LABEL "min %s, max %s, drawdown %s\n", label, a, b, c);
}
static int report_summary(sqlite3 *db, const char *path, int64_t run_id,
                          int *found /* OUT */, FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  char a[160], b[160], c[160];
  sqlite3_int64 n_pos, n_liq;
  int rc, src;

  *found = 0;
  rc = store_prepare(db, path,
               "SELECT positions, liquidated, liquidated_long,"
               " liquidated_short, liquidated_notional, margin_calls,"
               " bad_debt, uncovered_loss, fees, insurance_fund_start,"
               " insurance_fund_end, insurance_fund_min, adl_notional,"
               " max_cascade_rounds, start_price, min_price,"
               " min_price_exogenous, max_price, max_price_exogenous,"
               " drawdown, drawdown_exogenous, impact_at_low, impact_at_high,"
               " forced_share_of_fall, forced_share_of_rise, steps,"
               " partial_liquidations, topups, topup_collateral, funding_long,"
               " funding_short, haircut, adl_count, first_adl_step,"
               " liquidated_without_impact, liquidated_notional_without_impact,"
               " bad_debt_without_impact"
               " FROM summary WHERE run_id = ?1",
               0, &p, "read the summary", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, run_id);
  src = sqlite3_step(p);
  if (src == SQLITE_DONE) {
    sqlite3_finalize(p);
    return LIQ_OK;
  }
  if (src != SQLITE_ROW) {
    rc = store_db_error(db, path, "read the summary", err);
    sqlite3_finalize(p);
    return rc;
  }
  *found = 1;

  n_pos = sqlite3_column_int64(p, S_POSITIONS);
  n_liq = sqlite3_column_int64(p, S_LIQUIDATED);
  fmt_count(a, sizeof a, sqlite3_column_int64(p, S_STEPS));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "steps", a);
  fmt_count(a, sizeof a, n_pos);
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "positions", a);
  fmt_count(a, sizeof a, n_liq);
  fmt_count(b, sizeof b, sqlite3_column_int64(p, S_LIQ_LONG));
  fmt_count(c, sizeof c, sqlite3_column_int64(p, S_LIQ_SHORT));
  fprintf(out, LIQ_REPORT_LABEL "%s (long %s, short %s)", "liquidated", a, b,
          c);
  if (n_pos > 0) {
    fmt_percent(a, sizeof a, (double)n_liq / (double)n_pos);
    fprintf(out, ", %s of positions", a);
  }
  fputc('\n', out);
  fmt_money(a, sizeof a, store_column_double(p, S_NOTIONAL));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "liquidated notional", a);
  fmt_count(a, sizeof a, sqlite3_column_int64(p, S_MARGIN_CALLS));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "margin calls (peak)", a);
  fprintf(out, LIQ_REPORT_LABEL "%d\n", "cascade rounds (max)",
          sqlite3_column_int(p, S_ROUNDS));
  fmt_money(a, sizeof a, store_column_double(p, S_BAD_DEBT));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "bad debt", a);
  fmt_money(a, sizeof a, store_column_double(p, S_UNCOVERED));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "uncovered loss", a);
  if (sqlite3_column_int64(p, S_PARTIAL) > 0) {
    fmt_count(a, sizeof a, sqlite3_column_int64(p, S_PARTIAL));
    fprintf(out, LIQ_REPORT_LABEL "%s\n", "partial liquidations", a);
  }
  if (sqlite3_column_int64(p, S_TOPUPS) > 0) {
    fmt_count(a, sizeof a, sqlite3_column_int64(p, S_TOPUPS));
    fmt_money(b, sizeof b, store_column_double(p, S_TOPUP_COLL));
    fprintf(out, LIQ_REPORT_LABEL "%s, adding %s\n", "top-ups", a, b);
  }
  if (store_column_double(p, S_FUND_LONG) != 0.0 || store_column_double(p, S_FUND_SHORT) != 0.0) {
    fmt_money(a, sizeof a, store_column_double(p, S_FUND_LONG));
    fmt_money(b, sizeof b, store_column_double(p, S_FUND_SHORT));
    fprintf(out, LIQ_REPORT_LABEL "paid by longs %s, by shorts %s\n", "funding", a, b);
  }
  fmt_money(a, sizeof a, store_column_double(p, S_ADL));
  if (sqlite3_column_type(p, S_FIRST_ADL) == SQLITE_NULL) {
    fprintf(out, LIQ_REPORT_LABEL "%s\n", "ADL notional", a);
  } else {
    fmt_count(b, sizeof b, sqlite3_column_int64(p, S_ADL_COUNT));
    fmt_money(c, sizeof c, store_column_double(p, S_HAIRCUT));
    fprintf(out, LIQ_REPORT_LABEL "%s in %s closes, %s of profit taken, first at step %lld\n",
            "ADL notional", a, b, c, (long long)sqlite3_column_int64(p, S_FIRST_ADL));
  }
  fmt_money(a, sizeof a, store_column_double(p, S_FEES));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "fees", a);
  fmt_money(a, sizeof a, store_column_double(p, S_FUND_START));
  fmt_money(b, sizeof b, store_column_double(p, S_FUND_MIN));
  fmt_money(c, sizeof c, store_column_double(p, S_FUND_END));
  fprintf(out, LIQ_REPORT_LABEL "start %s, min %s, end %s\n",
          "insurance fund", a, b, c);
  fmt_price(a, sizeof a, store_column_double(p, S_START_PRICE));
  fprintf(out, LIQ_REPORT_LABEL "%s\n", "start price", a);
  report_price_range(out, p, "price with impact", S_MIN_PRICE, S_MAX_PRICE,
                     S_DRAWDOWN);
  report_price_range(out, p, "price exogenous", S_MIN_PRICE_X, S_MAX_PRICE_X,
                     S_DRAWDOWN_X);
  fprintf(out, LIQ_REPORT_LABEL "at the low %+.1f bp, at the high %+.1f bp\n",
          "impact (log)", 1e4 * store_column_double(p, S_IMPACT_LOW),
          1e4 * store_column_double(p, S_IMPACT_HIGH));
  fmt_percent(a, sizeof a, store_column_double(p, S_SHARE_FALL));  /* n/a: NULL */
  fmt_percent(b, sizeof b, store_column_double(p, S_SHARE_RISE));
  fprintf(out, LIQ_REPORT_LABEL "of the fall %s, of the rise %s\n", "forced share", a, b);
  if (sqlite3_column_type(p, S_LIQ_NO_IMPACT) != SQLITE_NULL) {
    fmt_count(a, sizeof a, sqlite3_column_int64(p, S_LIQ_NO_IMPACT));
    fmt_money(b, sizeof b, store_column_double(p, S_NOTIONAL_NO_IMPACT));
    fmt_money(c, sizeof c, store_column_double(p, S_BAD_NO_IMPACT));
    fprintf(out, LIQ_REPORT_LABEL "%s liquidated (%s notional), bad debt %s\n",
            "without impact", a, b, c);
  }
  sqlite3_finalize(p);
  return LIQ_OK;
}

/* Stored row counts and the steps with the most liquidations. */
static int report_rows(sqlite3 *db, const char *path, int64_t run_id,
                       FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  sqlite3_int64 n_steps = 0, n_liqs = 0;
  char a[160], b[160], c[160];
  int rc, src, n_top = 0;

  rc = store_prepare(db, path,
               "SELECT (SELECT count(*) FROM steps WHERE run_id = ?1),"
               " (SELECT count(*) FROM liquidations WHERE run_id = ?1)",
               0, &p, "count stored rows", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, run_id);
  if (sqlite3_step(p) != SQLITE_ROW) {
    rc = store_db_error(db, path, "count stored rows", err);
    sqlite3_finalize(p);
    return rc;
  }
  n_steps = sqlite3_column_int64(p, 0);
  n_liqs = sqlite3_column_int64(p, 1);
  sqlite3_finalize(p);
  p = NULL;
  fmt_count(a, sizeof a, n_steps);
  fmt_count(b, sizeof b, n_liqs);
  fprintf(out, LIQ_REPORT_LABEL "%s step rows, %s liquidation rows\n",
          "stored", a, b);
  if (n_steps == 0) return LIQ_OK;

  rc = store_prepare(db, path,
               "SELECT step, price, liquidations, liquidated_notional,"
               " cascade_rounds FROM steps"
               " WHERE run_id = ?1 AND liquidations > 0"
               " ORDER BY liquidations DESC, step LIMIT ?2",
               0, &p, "read the top steps", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, run_id);
  sqlite3_bind_int(p, 2, LIQ_STORE_REPORT_TOP);
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    if (n_top++ == 0)
      fprintf(out, "  steps with the most liquidations:\n"
                   "  %10s %16s %14s %20s %7s\n",
              "step", "price", "liquidations", "notional", "rounds");
    fmt_price(a, sizeof a, store_column_double(p, 1));
    fmt_count(b, sizeof b, sqlite3_column_int64(p, 2));
    fmt_money(c, sizeof c, store_column_double(p, 3));
    fprintf(out, "  %10lld %16s %14s %20s %7d\n",
            (long long)sqlite3_column_int64(p, 0), a, b, c,
            sqlite3_column_int(p, 4));
  }
  if (src != SQLITE_DONE) {
    rc = store_db_error(db, path, "read the top steps", err);
    sqlite3_finalize(p);
    return rc;
  }
  sqlite3_finalize(p);
  if (n_top == 0) fprintf(out, "  no stored step liquidated anything\n");
  return LIQ_OK;
}

/*
** LIQ_INPUT unless 'db' looks like a liqsim database: SQLite can read it
** and it has the meta (with a schema_version), runs, summary and steps
** tables.  A foreign, damaged or truncated file is bad input (exit 2), as
** it is for merge.
*/
static int report_check_schema(sqlite3 *db_conn, const char *db, liq_err *err) {
  static const char *const need[] = {"meta", "runs", "summary", "steps"};
  sqlite3_stmt *q = NULL;
  size_t i;
  int rc = LIQ_OK, src;
  if (sqlite3_prepare_v2(db_conn, "SELECT count(*) FROM sqlite_master WHERE "
                         "type = 'table' AND name = ?1", -1, &q, NULL) != SQLITE_OK)
    return liq_errf(err, LIQ_INPUT, db, 0, "not a liqsim database: %s",
                    sqlite3_errmsg(db_conn));
  for (i = 0; i < sizeof need / sizeof need[0] && rc == LIQ_OK; i++) {
    sqlite3_bind_text(q, 1, need[i], -1, SQLITE_STATIC);
    src = sqlite3_step(q);
    if (src != SQLITE_ROW)
      rc = liq_errf(err, LIQ_INPUT, db, 0, "not a liqsim database: %s",
                    sqlite3_errmsg(db_conn));
    else if (sqlite3_column_int(q, 0) == 0)
      rc = liq_errf(err, LIQ_INPUT, db, 0, "not a liqsim database (it has no "
                    "%s table)", need[i]);
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  if (rc == LIQ_OK &&
      sqlite3_prepare_v2(db_conn, "SELECT value FROM meta WHERE key = "
                         "'schema_version'", -1, &q, NULL) == SQLITE_OK) {
    if (sqlite3_step(q) != SQLITE_ROW)
      rc = liq_errf(err, LIQ_INPUT, db, 0, "not a liqsim database (meta has "
                    "no schema_version)");
    sqlite3_finalize(q);
  }
  return rc;
}

/* The axis values of each grid point ("key=value ..."), from
** sweep_point_values, else (databases written before it) the point's
** params JSON.  An infinite value (impact.half_life_seconds) reads "inf",
** as --set takes it, not SQLite's "Inf". */
#define LIQ_SWEEP_AGG_COLUMNS                                               \
  "grid_index, n, bad_debt_mean, bad_debt_q95, bad_debt_probability,"       \
  " uncovered_loss_mean, liquidated_notional_mean, liquidated_notional_q95," \
  " max_cascade_rounds_mean, impact_at_low_mean, "

static int report_sweep_points(sqlite3 *db, const char *path, int64_t sweep_id,
                               FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc, src, n = 0;
  if (sqlite3_prepare_v2(db,
        "SELECT " LIQ_SWEEP_AGG_COLUMNS
        " coalesce((SELECT group_concat(key || '=' ||"
        "   CASE WHEN value = 9e999 THEN 'inf' ELSE value END, '  ')"
        "  FROM sweep_point_values v WHERE v.sweep_id = a.sweep_id"
        "  AND v.grid_index = a.grid_index), params)"
        " FROM sweep_aggregates a WHERE sweep_id = ?1 ORDER BY grid_index",
        -1, &p, NULL) != SQLITE_OK) {
    sqlite3_finalize(p);
    p = NULL;
    rc = store_prepare(db, path,
        "SELECT " LIQ_SWEEP_AGG_COLUMNS " params FROM sweep_aggregates"
        " WHERE sweep_id = ?1 ORDER BY grid_index",
        0, &p, "read the sweep aggregates", err);
    if (rc != LIQ_OK) return rc;
  }
  sqlite3_bind_int64(p, 1, sweep_id);
  fprintf(out, "  %5s %4s %14s %14s %7s %14s %16s %16s %6s %9s  %s\n", "point", "n",
          "bad debt mean", "bad debt q95", "P(bad)", "uncovered mean",
          "liq. notional", "notional q95", "rounds", "impact@low", "axes");
  while ((src = sqlite3_step(p)) == SQLITE_ROW) {
    char bd[48], bd95[48], pb[16], un[48], ln[48], ln95[48], il[32];
    double impact_low = store_column_double(p, 9);
    fmt_money(bd, sizeof bd, store_column_double(p, 2));
    fmt_money(bd95, sizeof bd95, store_column_double(p, 3));
    fmt_percent(pb, sizeof pb, store_column_double(p, 4));
    fmt_money(un, sizeof un, store_column_double(p, 5));
    fmt_money(ln, sizeof ln, store_column_double(p, 6));
    fmt_money(ln95, sizeof ln95, store_column_double(p, 7));
    if (isnan(impact_low)) snprintf(il, sizeof il, "n/a");
    else snprintf(il, sizeof il, "%+.1f bp", 1e4 * impact_low);
    fprintf(out, "  %5lld %4lld %14s %14s %7s %14s %16s %16s %6.1f %10s  %s\n",
            (long long)sqlite3_column_int64(p, 0),
            (long long)sqlite3_column_int64(p, 1), bd, bd95, pb, un, ln, ln95,
            store_column_double(p, 8), il, store_column_text(p, 10, "{}"));
    n++;
  }
  rc = src == SQLITE_DONE ? LIQ_OK
                          : store_db_error(db, path, "read the sweep aggregates", err);
  sqlite3_finalize(p);
  if (rc == LIQ_OK && n == 0) fprintf(out, "  no grid point has a done task yet\n");
  return rc;
}

/* One sweep: identity, progress, aggregates per grid point. */
static int report_one_sweep(sqlite3 *db, const char *path, int64_t sweep_id,
                            FILE *out, liq_err *err) {
  sqlite3_stmt *p = NULL;
  int rc = store_prepare(db, path,
      "SELECT scenario_name, scenario_path, spec, seed, n_tasks, n_points,"
      " replicates, shard_index, shard_count, version,"
      " (SELECT count(*) FROM tasks t WHERE t.sweep_id = s.sweep_id"
      "  AND t.status = 'done')"
      " FROM sweeps s WHERE sweep_id = ?1",
      0, &p, "read the sweep", err);
  if (rc != LIQ_OK) return rc;
  sqlite3_bind_int64(p, 1, sweep_id);
  if (sqlite3_step(p) != SQLITE_ROW) {
    sqlite3_finalize(p);
    return liq_errf(err, LIQ_USAGE, path, 0, "no sweep %lld in DB",
                    (long long)sweep_id);
  }
  fprintf(out, "sweep %lld: %s (%s), seed %lld (liqsim %s)\n",
          (long long)sweep_id, store_column_text(p, 0, "?"),
          store_column_text(p, 1, "?"), (long long)sqlite3_column_int64(p, 3),
          store_column_text(p, 9, "?"));
  fprintf(out, "  %lld tasks = %lld grid points x %lld replicates, %lld done",
          (long long)sqlite3_column_int64(p, 4),
          (long long)sqlite3_column_int64(p, 5),
          (long long)sqlite3_column_int64(p, 6),
          (long long)sqlite3_column_int64(p, 10));
  if (sqlite3_column_int64(p, 8) > 1)
    fprintf(out, " (shard %lld/%lld)", (long long)sqlite3_column_int64(p, 7),
            (long long)sqlite3_column_int64(p, 8));
  fprintf(out, "\n  spec %s\n", store_column_text(p, 2, "{}"));
  sqlite3_finalize(p);
  fprintf(out, "  per grid point (nearest-rank quantiles over replicates; "
               "impact@low: mean ln(min price / min exogenous); one run: "
               "report DB --run ID):\n");
  return report_sweep_points(db, path, sweep_id, out, err);
}

/* Does the database hold a table 'name'? */
static int has_table(sqlite3 *db, const char *name) {
  sqlite3_stmt *p = NULL;
  int yes = 0;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                         " AND name = ?1", -1, &p, NULL) == SQLITE_OK) {
    sqlite3_bind_text(p, 1, name, -1, SQLITE_STATIC);
    yes = sqlite3_step(p) == SQLITE_ROW;
  }
  sqlite3_finalize(p);
  return yes;
}

int liq_store_report_sweep(const char *db, int64_t sweep_id, FILE *out,
                           liq_err *err) {
  sqlite3 *in_db = NULL;
  sqlite3_stmt *p = NULL;
  int rc = LIQ_OK, n = 0;

  if (sqlite3_open_v2(db, &in_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, db, 0, "cannot open database: %s",
                  in_db ? sqlite3_errmsg(in_db) : "out of memory");
    sqlite3_close_v2(in_db);
    return rc;
  }
  sqlite3_busy_timeout(in_db, LIQ_STORE_BUSY_MS);
  if (!has_table(in_db, "sweeps")) {
    rc = liq_errf(err, LIQ_USAGE, db, 0, "the database holds no sweep (it is "
                  "not a liqsim database, or was written by 'liqsim run')");
    goto done;
  }
  if (sweep_id == 0) {
    /* Every sweep, oldest first. */
    rc = store_prepare(in_db, db, "SELECT sweep_id FROM sweeps ORDER BY sweep_id",
                       0, &p, "list the sweeps", err);
    while (rc == LIQ_OK && sqlite3_step(p) == SQLITE_ROW) {
      if (n++ > 0) fputc('\n', out);
      rc = report_one_sweep(in_db, db, sqlite3_column_int64(p, 0), out, err);
    }
    sqlite3_finalize(p);
    if (rc == LIQ_OK && n == 0)
      rc = liq_errf(err, LIQ_USAGE, db, 0, "the database holds no sweep");
  } else {
    rc = report_one_sweep(in_db, db, sweep_id, out, err);
  }
  if (rc == LIQ_OK && ferror(out))
    rc = liq_errf(err, LIQ_IO, NULL, 0, "cannot write the report");
done:
  sqlite3_close_v2(in_db);
  return rc;
}

int liq_store_report_is_sweep_db(const char *db) {
  sqlite3 *in_db = NULL;
  sqlite3_stmt *p = NULL;
  int yes = 0;
  if (sqlite3_open_v2(db, &in_db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      has_table(in_db, "sweeps") &&
      sqlite3_prepare_v2(in_db, "SELECT 1 FROM sweeps LIMIT 1", -1, &p, NULL) ==
          SQLITE_OK)
    yes = sqlite3_step(p) == SQLITE_ROW;
  sqlite3_finalize(p);
  sqlite3_close_v2(in_db);
  return yes;
}

int liq_store_report(const char *db, int64_t run_id, FILE *out,
                     liq_err *err) {
  sqlite3 *in_db = NULL;
  sqlite3_stmt *runs_stmt = NULL;
  int rc, src, n_run = 0;

  if (sqlite3_open_v2(db, &in_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = liq_errf(err, LIQ_IO, db, 0, "cannot open database: %s",
                  in_db ? sqlite3_errmsg(in_db) : "out of memory");
    sqlite3_close_v2(in_db);
    return rc;
  }
  sqlite3_busy_timeout(in_db, LIQ_STORE_BUSY_MS);
  rc = report_check_schema(in_db, db, err);
  if (rc != LIQ_OK) goto done;
  rc = store_prepare(in_db, db,
               "SELECT run_id, scenario_name, seed, status, started_at,"
               " finished_at, params, error, version FROM runs"
               " WHERE ?1 = 0 OR run_id = ?1 ORDER BY run_id",
               0, &runs_stmt, "not a liqsim database", err);
  if (rc != LIQ_OK) goto done;
  sqlite3_bind_int64(runs_stmt, 1, run_id);

  while ((src = sqlite3_step(runs_stmt)) == SQLITE_ROW) {
    int64_t row_run = sqlite3_column_int64(runs_stmt, 0);
    const char *status = store_column_text(runs_stmt, 3, "?");
    int found;
    if (n_run++ > 0) fputc('\n', out);
    fprintf(out, "run %lld: %s, seed %lld, %s (liqsim %s)\n", (long long)row_run,
            store_column_text(runs_stmt, 1, "?"),
            (long long)sqlite3_column_int64(runs_stmt, 2), status,
            store_column_text(runs_stmt, 8, "?"));
    fprintf(out, "  started %s, finished %s\n", store_column_text(runs_stmt, 4, "-"),
            store_column_text(runs_stmt, 5, "-"));
    fprintf(out, "  params %s\n", store_column_text(runs_stmt, 6, "{}"));
    if (strcmp(status, "failed") == 0)
      fprintf(out, "  error: %s\n", store_column_text(runs_stmt, 7, "(none recorded)"));

    rc = report_summary(in_db, db, row_run, &found, out, err);
    if (rc != LIQ_OK) goto done;
    if (!found) {
      if (strcmp(status, "running") == 0)
        fprintf(out, "  no summary: the run is still running"
                     " (or its process was killed)\n");
      else
        fprintf(out, "  no summary: the run %s\n",
                strcmp(status, "failed") == 0 ? "failed" : "stored none");
    }
    rc = report_rows(in_db, db, row_run, out, err);
    if (rc != LIQ_OK) goto done;
  }
  if (src != SQLITE_DONE) {
    rc = store_db_error(in_db, db, "read the runs", err);
    goto done;
  }
  if (n_run == 0) {
    if (run_id != 0) {
      rc = liq_errf(err, LIQ_USAGE, db, 0, "no run %lld in DB",
                    (long long)run_id);
      goto done;
    }
    fprintf(out, "no runs in %s\n", db);
  }
  if (ferror(out)) rc = liq_errf(err, LIQ_IO, NULL, 0, "cannot write the report");

done:
  /* A file damaged past its first pages fails only here: bad input too. */
  if (rc == LIQ_DB && ((sqlite3_errcode(in_db) & 0xff) == SQLITE_CORRUPT ||
                       (sqlite3_errcode(in_db) & 0xff) == SQLITE_NOTADB) &&
      err != NULL)
    err->code = rc = LIQ_INPUT;
  sqlite3_finalize(runs_stmt);
  sqlite3_close_v2(in_db);
  return rc;
}
