#!/usr/bin/env python3
"""plot.py: figures from a liqsim results database.

usage: plot.py DB [--run ID] [--out PNG] [--log]
       plot.py DB --sweep [ID] [--out PNG] [--log]
       plot.py DB --calibration [ID] [--out PNG] [--log]
       plot.py DB --backtest [ID] [--out PNG]
       plot.py DB --compare RUN_ID... [--out PNG] [--log]

One run (default: the newest run with step rows) is drawn as stacked
panels on a shared time axis: market vs exogenous price with the step's
low/high band, liquidations per step (long/short stacked) with cascade
rounds, the insurance fund with cumulative bad debt and ADL haircut, and
quantiles of the normalised cushion (or of the distance to liquidation,
where the cushion is NULL: tiered margins).  --sweep draws a sweep's
per-grid-point aggregates (default: the newest sweep): mean and 95 %
quantile of bad debt and liquidated notional against each axis, one line
per combination of the other axes, with the probability of bad debt and
the cascade measure.  --compare draws runs side by side (one per insurance
policy, e.g. scenarios/adl-policies.cfg): who paid for the bad debt
(positions charged, fund / traders / venue), the largest single loss, the
haircut by leverage (with the positions table) or by size, the fund over
time.  --log puts the count/loss axes on a log scale.

--calibration draws a calibration (default: the newest): the target
metric at every evaluated value of the key with +-1.96 se error bars, the
target line (max), and the answer with its confidence interval.

--backtest draws a margin backtest (default: the newest): the entry price,
the horizon's realised log moves against the long and short margins
(ln(1 - margin_long) below, ln(1 + margin_short) above, before APC dashed)
with the exceedances marked, and the Basel traffic-light zone of the
trailing 250 non-overlapping observations along time for each side.

The PNG goes next to the database as <db stem>-run<ID>.png,
<db stem>-sweep<ID>.png, <db stem>-backtest<ID>.png or
<db stem>-calibration<ID>.png unless --out names it; its path is printed.
Exit codes (as liqsim): 0 ok, 1 runtime failure (matplotlib missing),
2 bad usage or bad input (no such database, run, step rows or sweep).
Needs python3 and matplotlib (Debian: python3-matplotlib, installed by
scripts/deps.sh); sqlite3 is in the standard library.
"""

import argparse
import bisect
import datetime
import json
import math
import os
import re
import sqlite3
import sys

PROG = "plot.py"


def die(msg, code=2):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(code)


def import_matplotlib():
    """Import matplotlib with the Agg backend.  Debian's python3-matplotlib
    belongs to /usr/bin/python3; when this script runs under another
    interpreter first on PATH (pyenv, a virtualenv) that lacks it, run it
    again under the system one."""
    try:
        import matplotlib
    except ImportError:
        system = "/usr/bin/python3"
        here = os.path.realpath(sys.executable or "")
        if (os.environ.get("LIQ_PLOT_REEXEC") is None and os.access(system, os.X_OK)
                and os.path.realpath(system) != here):
            os.environ["LIQ_PLOT_REEXEC"] = "1"
            sys.stdout.flush()
            os.execv(system, [system, os.path.abspath(__file__)] + sys.argv[1:])
        die("cannot import matplotlib (install python3-matplotlib: scripts/deps.sh)", 1)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker
    return matplotlib, plt, mdates, mticker


def colormap(matplotlib, plt, name):
    """matplotlib.colormaps (3.5+), else the older pyplot.get_cmap."""
    reg = getattr(matplotlib, "colormaps", None)
    return reg[name] if reg is not None else plt.get_cmap(name)


# ---------------------------------------------------------------- database

def open_db(path):
    if not os.path.exists(path):
        die(f"{path}: no such file")
    if os.path.isdir(path):
        die(f"{path}: is a directory, not a database")
    try:
        uri = "file:" + os.path.abspath(path).replace("?", "%3f").replace("#", "%23") + "?mode=ro"
        con = sqlite3.connect(uri, uri=True)
        con.row_factory = sqlite3.Row
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        die(f"{path}: not a liqsim database ({e})")
    if "runs" not in tables:
        die(f"{path}: not a liqsim database (no table runs)")
    return con, tables


def columns(con, table):
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def quantile_columns(con, prefix):
    """[(column, percent)] for steps.<prefix>_q<label> columns, in order."""
    out = []
    for c in columns(con, "steps"):
        m = re.fullmatch(prefix + r"_q(\d+(?:_\d+)?)", c)
        if m:
            out.append((c, float(m.group(1).replace("_", "."))))
    return sorted(out, key=lambda x: x[1])


# ---------------------------------------------------------------- formatting

_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def money(x, _pos=None):
    """12345678 -> 12.3M (for text)."""
    a = abs(x)
    for div, suf in _UNITS:
        if a >= div:
            return f"{x / div:.3g}{suf}"
    return f"{x:.3g}" if a >= 1 or a == 0 else f"{x:.2g}"


def tick_decimals(locs, div):
    """The fewest decimals (0..6) at which every tick location divided by
    'div' prints as itself: 0.25M steps give 0.25M, 0.5M, 0.75M, never the
    rounded 0.2M, 0.5M, 0.8M."""
    vals = [v / div for v in locs if v is not None and math.isfinite(v)]
    for dec in range(7):
        if all(abs(round(v, dec) - v) <= 1e-9 * max(1.0, abs(v)) for v in vals):
            return dec
    return 6


def money_formatter(mticker):
    """Tick labels in k/M/B with as many decimals as the ticks need to print
    exactly (50.25M, 50.50M rather than 50.2M, 50.5M)."""

    class Money(mticker.Formatter):
        def __call__(self, x, pos=None):
            if x == 0:
                return "0"
            locs = [v for v in getattr(self, "locs", [])] or [x]
            top = max(abs(v) for v in locs)
            div, suf = next(((d, u) for d, u in _UNITS if top >= d), (1.0, ""))
            dec = tick_decimals(list(locs) + [x], div)
            return f"{x / div:.{dec}f}{suf}"

    return Money()


def money_tick(x):
    """One tick label in k/M/B with the decimals that value itself needs
    (log axes: 200k, 500k, 1M, 2M)."""
    if x == 0:
        return "0"
    div, suf = next(((d, u) for d, u in _UNITS if abs(x) >= d), (1.0, ""))
    return f"{x / div:.{min(3, tick_decimals([x], div))}f}{suf}"


def log_axis(ax, mticker, values, money_fmt=True):
    """Put 'ax' on a log y scale fitted to the positive 'values': never a
    negative decade (the bottom is just under the smallest positive value),
    and ticks at 1, 2 and 5 x 10^k when the range spans few decades, so a
    range inside one decade still has several labelled ticks.  Returns
    False (and leaves the axis linear) when nothing is positive."""
    pos = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if not pos:
        return False
    lo, hi = min(pos), max(pos)
    if hi <= lo:
        lo, hi = lo / 2.0, hi * 2.0
    ax.set_yscale("log")
    ax.set_ylim(lo / 1.6, hi * 1.6)
    span = math.log10(hi / lo)
    subs = (1.0, 2.0, 5.0) if span <= 2.5 else (1.0,)
    ax.yaxis.set_major_locator(mticker.LogLocator(base=10, subs=subs, numticks=15))
    ax.yaxis.set_minor_locator(mticker.NullLocator())
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(
        (lambda v, _p: money_tick(v)) if money_fmt else (lambda v, _p: f"{v:g}")))
    return True


def wrap_title(text, width):
    """Wrap at ', ' and ' ' so a long title stays inside the figure."""
    import textwrap
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True,
                                   break_on_hyphens=False)) or text


def pct_label(p):
    return f"{p:g} %"


def short_keys(keys):
    """margin.initial -> initial, unless two keys end the same."""
    last = [k.split(".")[-1] for k in keys]
    return {k: (s if last.count(s) == 1 else k) for k, s in zip(keys, last)}


def fmt_value(v):
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


# ---------------------------------------------------------------- one run

def pick_run(con, db, run_id):
    if run_id is None:
        row = con.execute("SELECT max(run_id) FROM runs WHERE run_id IN "
                          "(SELECT DISTINCT run_id FROM steps)").fetchone()
        if row[0] is None:
            if con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0:
                die(f"{db}: no runs")
            die(f"{db}: no run has step rows (stats.steps = false?)")
        run_id = row[0]
    run = con.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if run is None:
        die(f"{db}: no run {run_id}")
    n = con.execute("SELECT count(*) FROM steps WHERE run_id = ?", (run_id,)).fetchone()[0]
    if n == 0:
        why = "stats.steps = false?" if run["status"] == "done" else f"status {run['status']}"
        die(f"{db}: run {run_id} has no step rows ({why})")
    return run


class TimeAxis:
    """Maps step numbers to x: UTC dates (matplotlib date numbers) when t_ms
    holds epoch times, else the step number itself."""

    def __init__(self, steps, t_ms, mdates):
        self.steps = steps
        pairs = [(s, t) for s, t in zip(steps, t_ms) if t is not None]
        diffs = sorted((t2 - t1) / (s2 - s1) for (s1, t1), (s2, t2) in zip(pairs, pairs[1:])
                       if s2 > s1)
        self.step_ms = diffs[len(diffs) // 2] if diffs else None
        # 1e11 ms is 1973-03-03: anything later is an epoch time, not an offset.
        self.dates = bool(pairs) and pairs[0][1] >= 1e11 and bool(self.step_ms)
        self.pairs = pairs
        self.mdates = mdates

    def x(self, step):
        if not self.dates:
            return float(step)
        ps = self.pairs
        i = bisect.bisect_left(ps, (step, -math.inf))
        if i < len(ps) and ps[i][0] == step:
            t = ps[i][1]
        elif 0 < i < len(ps):
            (s1, t1), (s2, t2) = ps[i - 1], ps[i]
            t = t1 + (t2 - t1) * (step - s1) / (s2 - s1)
        elif i == 0:
            t = ps[0][1] - (ps[0][0] - step) * self.step_ms
        else:
            t = ps[-1][1] + (step - ps[-1][0]) * self.step_ms
        return self.mdates.date2num(datetime.datetime.fromtimestamp(t / 1000.0, datetime.timezone.utc))

    def width(self):
        """x extent of one step."""
        if not self.dates:
            return 1.0
        return self.step_ms / 86400000.0

    def label(self):
        if self.dates:
            return "time (UTC)"
        if self.step_ms:
            return f"step (1 step = {self.step_ms / 1000.0:g} s)"
        return "step"

    def format(self, ax):
        if self.dates:
            loc = self.mdates.AutoDateLocator(tz=datetime.timezone.utc)
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(
                self.mdates.ConciseDateFormatter(loc, tz=datetime.timezone.utc))


def plot_run(con, db, run_id, out, log, mods):
    matplotlib, plt, mdates, mticker = mods
    run = pick_run(con, db, run_id)
    rid = run["run_id"]
    cols = set(columns(con, "steps"))
    rows = con.execute("SELECT * FROM steps WHERE run_id = ? ORDER BY step", (rid,)).fetchall()

    def col(name, default=0.0):
        if name not in cols:
            return [default] * len(rows)
        return [default if r[name] is None else r[name] for r in rows]

    steps = [r["step"] for r in rows]
    ta = TimeAxis(steps, col("t_ms", None), mdates)
    x = [ta.x(s) for s in steps]
    w = ta.width()
    n_total = run["steps"] or (steps[-1] + 1)
    contiguous = len(steps) == steps[-1] - steps[0] + 1
    summary = None
    if "summary" in (r[0] for r in con.execute("SELECT name FROM sqlite_master")):
        summary = con.execute("SELECT * FROM summary WHERE run_id = ?", (rid,)).fetchone()

    # Flows per step.  With stats.every = k a stored row carries the flows of
    # the k steps up to it (levels at its own step); when rows skip steps,
    # the event tables give the exact per-step counts and losses, else the
    # rows' interval sums are drawn one bar per interval.
    n_events = con.execute("SELECT count(*) FROM liquidations WHERE run_id = ?",
                           (rid,)).fetchone()[0] if "liquidations" in _tables(con) else 0
    liq_note = ""
    if contiguous:
        lx, llong, lshort = x, col("liquidations_long"), col("liquidations_short")
        bad_x, bad_y = x, col("bad_debt")
        hair_x, hair_y = x, col("haircut")
        unc_y = col("uncovered_loss")
    else:
        every = steps[1] - steps[0] if len(steps) > 1 else 1
        if n_events > 0:
            ev = con.execute(
                "SELECT step, sum(side = 'long'), sum(side = 'short'), sum(coalesce(loss, 0))"
                " FROM liquidations WHERE run_id = ? GROUP BY step ORDER BY step",
                (rid,)).fetchall()
            lx = [ta.x(e[0]) for e in ev]
            llong = [e[1] for e in ev]
            lshort = [e[2] for e in ev]
            bad_x, bad_y = lx, [e[3] for e in ev]
            liq_note = " (from the liquidations table)"
        else:
            lx, llong, lshort = x, col("liquidations_long"), col("liquidations_short")
            bad_x, bad_y = x, col("bad_debt")
            liq_note = f" (each bar: the {every} steps up to a stored row)"
        hair_x, hair_y = x, col("haircut")
        if "adl" in _tables(con):
            ad = con.execute("SELECT step, sum(coalesce(haircut, 0)) FROM adl WHERE run_id = ?"
                             " GROUP BY step ORDER BY step", (rid,)).fetchall()
            if ad:
                hair_x, hair_y = [ta.x(a[0]) for a in ad], [a[1] for a in ad]
        unc_y = col("uncovered_loss")

    # Cushion or distance quantiles: the columns with values for this run.
    def live(qcols):
        return [(c, p) for c, p in qcols if any(r[c] is not None for r in rows)]
    qpanel = live(quantile_columns(con, "cushion"))
    qkind = "cushion"
    if not qpanel:
        qpanel, qkind = live(quantile_columns(con, "distance")), "distance"

    n_panels = 3 + (1 if qpanel else 0)
    heights = [3.0, 2.2, 2.2] + ([2.2] if qpanel else [])
    fig, axes = plt.subplots(n_panels, 1, sharex=True, figsize=(12, 2.2 + sum(heights)),
                             gridspec_kw={"height_ratios": heights})
    name = run["scenario_name"] or "?"
    params = ""
    if run["params"] not in (None, "", "{}"):
        try:
            params = ", ".join(f"{k}={fmt_value(v)}"
                               for k, v in json.loads(run["params"]).items())
        except (ValueError, AttributeError):
            params = run["params"]
    title = f"{name} — run {rid}"
    extra = [f"seed {run['seed']}"] if run["seed"] is not None else []
    if run["sweep_id"] is not None:
        extra.append(f"sweep {run['sweep_id']} task {run['task_id']}")
    if params:
        extra.append(params)
    if run["status"] != "done":
        extra.append(f"status {run['status']}")
    sub = []
    if summary is not None:
        sub.append(f"{summary['positions']:,} positions, {summary['liquidated']:,} liquidated "
                   f"({money(summary['liquidated_notional'])} notional)")
        sub.append(f"bad debt {money(summary['bad_debt'])}")
        if summary["impact_at_low"] is not None:
            sub.append(f"impact at the low {1e4 * summary['impact_at_low']:+.1f} bp, "
                       f"at the high {1e4 * summary['impact_at_high']:+.1f} bp")
        sub.append(f"max cascade rounds {summary['max_cascade_rounds']}")
    # Long params (a sweep point, many --set) wrap instead of running off
    # the figure; the panels move down by the extra lines.
    head = wrap_title(title + ("  (" + ", ".join(extra) + ")" if extra else ""), 110)
    n_head = head.count("\n")
    fig.suptitle(head, fontsize=13 if n_head == 0 else 11, fontweight="bold",
                 y=1 - 0.12 / fig.get_figheight(), va="top")
    if sub:
        fig.text(0.5, 1 - (0.45 + 0.22 * n_head) / fig.get_figheight(),
                 wrap_title("; ".join(sub), 160), ha="center", va="top", fontsize=9.5,
                 color="0.25")

    # 1. price
    ax = axes[0]
    lo, hi = col("price_low", None), col("price_high", None)
    band = [(xi, a, b) for xi, a, b in zip(x, lo, hi) if a is not None and b is not None]
    if band and any(b > a * (1 + 1e-12) for _, a, b in band):
        ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band],
                        step="mid", color="tab:blue", alpha=0.3, linewidth=0,
                        label="market low–high within the step")
    pm, px = col("price", None), col("price_exogenous", None)
    ax.plot(x, pm, color="tab:blue", lw=1.2, label="market price (with impact)")
    ax.plot(x, px, color="black", lw=0.8, ls=(0, (3, 2)), label="exogenous price")
    ax.set_ylabel("price (quote ccy)")
    ax.yaxis.set_major_formatter(money_formatter(mticker))
    ax.set_title("price (close of each step)", loc="left", fontsize=10)
    # Impact is often too small to see at price scale: its size in basis
    # points on the right axis.
    imp = [math.nan if a is None or b is None or a <= 0 or b <= 0 else 1e4 * math.log(a / b)
           for a, b in zip(pm, px)]
    axi = ax.twinx()
    axi.plot(x, imp, color="tab:brown", lw=0.7, alpha=0.8,
             label="impact ln(market / exogenous), bp (right)")
    axi.set_ylabel("impact (bp)", color="tab:brown")
    axi.tick_params(axis="y", colors="tab:brown")
    finite = [v for v in imp if not math.isnan(v)]
    if finite:
        lo_i, hi_i = min(finite + [0.0]), max(finite + [0.0])
        span = (hi_i - lo_i) or 1.0
        # Keep the impact trace in the lower third, clear of the price.
        axi.set_ylim(lo_i - 0.05 * span, lo_i + 3.2 * span)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = axi.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="best", fontsize=8, ncol=2)

    # 2. liquidations per step
    ax = axes[1]
    ax.bar(lx, llong, width=w, align="center", color="tab:red", label="long liquidations",
           linewidth=0)
    ax.bar(lx, lshort, width=w, bottom=llong, align="center", color="tab:green",
           label="short liquidations", linewidth=0)
    ax.set_ylabel("liquidations / step")
    if log:
        tops = [a + b for a, b in zip(llong, lshort)]
        if not log_axis(ax, mticker, [1.0] + tops, money_fmt=False):
            ax.set_ylim(bottom=0)
    else:
        ax.set_ylim(bottom=0)
    ax.set_title("liquidations per step" + liq_note, loc="left", fontsize=10)
    rounds = col("cascade_rounds")
    ax2 = ax.twinx()
    rx = [xi for xi, r in zip(x, rounds) if r > 0]
    ry = [r for r in rounds if r > 0]
    ax2.plot(rx, ry, ls="none", marker=".", ms=4, color="tab:purple", label="cascade rounds")
    ax2.set_ylabel("cascade rounds", color="tab:purple")
    ax2.tick_params(axis="y", colors="tab:purple")
    ax2.set_ylim(0, max(ry + [1]) * 1.15 + 0.5)
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(integer=True, nbins=4))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, ncol=3)

    # 3. insurance fund, cumulative losses
    ax = axes[2]

    def cum(vals):
        out, s = [], 0.0
        for v in vals:
            s += v
            out.append(s)
        return out

    def extend(xs, ys):
        # Carry cumulative series to the last step so they read as levels.
        if xs and xs[-1] < x[-1]:
            return list(xs) + [x[-1]], list(ys) + [ys[-1]]
        return xs, ys

    fund = col("insurance_fund", None)
    ax.plot(x, fund, color="tab:blue", lw=1.4, label="insurance fund")
    losses = [(bad_x, cum(bad_y), "tab:red", "-", "cumulative bad debt")]
    if any(v != 0 for v in hair_y):
        losses.append((hair_x, cum(hair_y), "tab:orange", "-",
                       "cumulative ADL / socialised haircut"))
    if any(v != 0 for v in unc_y):
        losses.append((x, cum(unc_y), "black", ":", "cumulative uncovered loss"))
    fund_max = max([v for v in fund if v is not None] + [0.0])
    loss_max = max([max(ys + [0.0]) for _, ys, _, _, _ in losses])
    # Losses share the fund's axis when they are comparable with it; small
    # ones (or none) get their own axis on the right so they stay visible.
    lax = ax
    if loss_max < 0.05 * fund_max:
        lax = ax.twinx()
        lax.set_ylabel("cumulative losses (quote ccy)", color="tab:red")
        lax.tick_params(axis="y", colors="tab:red")
        lax.yaxis.set_major_formatter(money_formatter(mticker))
        lax.set_ylim(0, loss_max * 1.1 if loss_max > 0 else 1.0)
        ax.set_ylabel("insurance fund (quote ccy)", color="tab:blue")
    else:
        ax.set_ylabel("quote ccy")
    for xs, ys, color, ls, label in losses:
        xs, ys = extend(xs, ys)
        lax.step(xs, ys, where="post", color=color, lw=1.4, ls=ls,
                 label=label + (" (right)" if lax is not ax else ""))
    if lax is ax:
        ax.set_ylim(bottom=0)
    if summary is not None and summary["first_adl_step"] is not None:
        fx = ta.x(summary["first_adl_step"])
        for a in axes:
            a.axvline(fx, color="tab:orange", lw=0.9, ls=":", zorder=0)
        ax.annotate("first ADL", (fx, 0.5), xycoords=("data", "axes fraction"),
                    xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8, color="tab:orange",
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    ax.yaxis.set_major_formatter(money_formatter(mticker))
    ax.set_title("insurance fund and losses" + ("" if loss_max > 0 else " (no bad debt)"),
                 loc="left", fontsize=10)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = (lax.get_legend_handles_labels() if lax is not ax else ([], []))
    ax.legend(h1 + h2, l1 + l2, loc="best", fontsize=8)

    # 4. quantiles of the survivors' cushion or distance to liquidation
    if qpanel:
        ax = axes[3]
        cmap = colormap(matplotlib, plt, "viridis")
        for i, (c, p) in enumerate(qpanel):
            ys = [r[c] for r in rows]
            if qkind == "distance":
                ys = [None if v is None else 100.0 * v for v in ys]
            ys = [math.nan if v is None else v for v in ys]
            ax.plot(x, ys, lw=1.1, color=cmap(i / max(1, len(qpanel) - 1) * 0.85),
                    label=f"q{pct_label(p)}")
        if qkind == "cushion":
            ax.set_ylabel("normalised cushion\n(1 = entry at max lev.)")
            ax.set_title("quantiles of the open positions' normalised cushion "
                         "(equity − MM)/(IM − MM)", loc="left", fontsize=10)
            vals = [r[c] for r in rows for c, _ in qpanel if r[c] is not None]
            if vals and min(vals) > 0 and max(vals) / min(vals) > 20:
                ax.set_yscale("log")
                g_fmt = mticker.FuncFormatter(lambda v, _p: f"{v:g}")
                ax.yaxis.set_major_formatter(g_fmt)
                ax.yaxis.set_minor_locator(mticker.LogLocator(subs=(2.0, 5.0)))
                ax.yaxis.set_minor_formatter(g_fmt)
        else:
            ax.set_ylabel("distance to liq. (%)")
            ax.set_title("quantiles of the open positions' distance to liquidation "
                         "ln(p / p_liq) (long), ln(p_liq / p) (short)"
                         + ("; normalised cushion not defined under tiered margins"
                            if quantile_columns(con, "cushion") else ""),
                         loc="left", fontsize=10)
        ax.legend(loc="best", fontsize=8, ncol=len(qpanel))

    for a in axes:
        a.grid(True, alpha=0.3)
        a.margins(x=0)
    axes[-1].set_xlabel(ta.label())
    ta.format(axes[-1])
    if not contiguous:
        axes[0].text(1, 1.02, f"{len(steps)} stored step rows of {n_total}",
                     transform=axes[0].transAxes, ha="right", fontsize=8, color="0.4")
    top = 1 - (0.55 + 0.22 * n_head) / fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, top))
    if out is None:
        out = default_out(db, f"run{rid}")
    save(fig, out, plt)


_TABLES = None


def _tables(con):
    global _TABLES
    if _TABLES is None:
        _TABLES = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return _TABLES


# ---------------------------------------------------------------- sweeps

def num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def sweep_axes(con, sw, points):
    """[(key, [values])] from sweeps.spec, else from the points' params."""
    axes = []
    try:
        spec = json.loads(sw["spec"] or "")
        for a in spec.get("axes", []):
            vals = []
            for v in a.get("values", []):
                if num(v) not in vals:
                    vals.append(num(v))
            axes.append((a["key"], vals))
        mode = spec.get("mode", "product")
    except (ValueError, TypeError, KeyError, AttributeError):
        axes, mode = [], "product"
    if not axes:
        keys = []
        for p in points:
            for k in p["params"]:
                if k not in keys:
                    keys.append(k)
        for k in keys:
            vals = []
            for p in points:
                v = p["params"].get(k)
                if v not in vals:
                    vals.append(v)
            axes.append((k, vals))
    return axes, mode


def plot_sweep(con, db, sweep_id, out, log, mods):
    matplotlib, plt, mdates, mticker = mods
    tables = _tables(con)
    if "sweeps" not in tables or con.execute("SELECT count(*) FROM sweeps").fetchone()[0] == 0:
        die(f"{db}: no sweeps in this database (made by liqsim run, not liqsim sweep?)")
    if sweep_id is None:
        sweep_id = con.execute("SELECT max(sweep_id) FROM sweeps").fetchone()[0]
    sw = con.execute("SELECT * FROM sweeps WHERE sweep_id = ?", (sweep_id,)).fetchone()
    if sw is None:
        ids = ", ".join(str(r[0]) for r in con.execute("SELECT sweep_id FROM sweeps"))
        die(f"{db}: no sweep {sweep_id} (sweeps: {ids})")
    rows = []
    if "sweep_aggregates" in tables:
        rows = con.execute("SELECT * FROM sweep_aggregates WHERE sweep_id = ? AND n > 0"
                           " ORDER BY grid_index", (sweep_id,)).fetchall()
    if not rows:
        die(f"{db}: sweep {sweep_id} has no aggregates (no finished task yet? "
            "liqsim sweep --resume)")
    points = []
    for r in rows:
        try:
            params = {k: num(v) for k, v in json.loads(r["params"] or "{}").items()}
        except ValueError:
            params = {}
        points.append({"params": params, "row": r})
    axes_spec, mode = sweep_axes(con, sw, points)
    if not axes_spec:
        # A sweep without a grid (replicates of the base point only): one
        # point, drawn at a single x position.
        pseudo = "grid point (no axes: replicates of the base scenario)"
        axes_spec = [(pseudo, ["base"])]
        for p in points:
            p["params"][pseudo] = "base"
    keys = [k for k, _ in axes_spec]
    short = short_keys(keys)

    # (column stem, y label, has mean/q95, money axis)
    agg_cols = set(columns(con, "sweep_aggregates"))
    metrics = [("bad_debt", "bad debt per run (quote ccy)", True, True),
               ("bad_debt_probability", "P(bad debt > 0)", False, False),
               ("liquidated_notional", "liquidated notional per run (quote ccy)", True, True)]
    if "impact_at_low_mean" in agg_cols:
        metrics.append(("impact_at_low", "cascade: impact at the low, ln(min / min exogenous)",
                        "impact_at_low_q95" in agg_cols, False))
    elif "forced_share_of_fall_mean" in agg_cols:
        metrics.append(("forced_share_of_fall", "forced share of the fall",
                        "forced_share_of_fall_q95" in agg_cols, False))
    else:
        metrics.append(("max_cascade_rounds", "max cascade rounds per run", True, False))
    n_ax = len(axes_spec)
    n_m = len(metrics)
    fig, grid = plt.subplots(n_ax, n_m, figsize=(5.2 * n_m + 2.5, 1.5 + 3.6 * n_ax),
                             squeeze=False)
    n_done = sum(p["row"]["n"] for p in points)
    fig.suptitle(f"{sw['scenario_name']} — sweep {sweep_id}", fontsize=13, fontweight="bold",
                 y=1 - 0.12 / fig.get_figheight(), va="top")
    fig.text(0.5, 1 - 0.45 / fig.get_figheight(),
             f"{mode} grid of {sw['n_points']} points × {sw['replicates']} replicates "
             f"({n_done} of {sw['n_tasks']} tasks done in this file); "
             "solid: mean, dashed: 95 % quantile (nearest rank) over replicates; "
             "P(bad debt > 0): share of replicates",
             ha="center", va="top", fontsize=9.5, color="0.25")
    cmap = colormap(matplotlib, plt, "tab10")

    for i, (key, values) in enumerate(axes_spec):
        others = [k for k in keys if k != key]
        # Group the points by the values of the other axes.
        groups = {}
        for p in points:
            if key not in p["params"]:
                continue
            if mode == "zip":
                g = ()
            else:
                g = tuple(p["params"].get(k) for k in others)
            groups.setdefault(g, []).append(p)
        # impact.half_life_seconds = "inf" has no x position: such an axis
        # is drawn by value order, each value a tick (as a model's names)
        numeric = all(isinstance(v, float) and math.isfinite(v) for v in values)
        order = {v: j for j, v in enumerate(values)}

        def xpos(v):
            return v if numeric else order.get(v, len(order))

        glist = sorted(groups.items(), key=lambda kv: [(0, v) if isinstance(v, float) else
                                                       (1, str(v)) for v in kv[0]])
        many = len(glist) > 10
        for j, (metric, ylabel, has_q, is_money) in enumerate(metrics):
            ax = grid[i][j]
            mean_col = metric + "_mean" if metric + "_mean" in agg_cols else metric
            plotted = []
            for gi, (g, pts) in enumerate(glist):
                pts = sorted(pts, key=lambda p: xpos(p["params"][key]))
                xs = [xpos(p["params"][key]) for p in pts]
                color = colormap(matplotlib, plt, "viridis")(gi / max(1, len(glist) - 1)) if many \
                    else cmap(gi % 10)
                if not others:
                    label = None
                elif mode == "zip":
                    label = "zip: " + ", ".join(others) + " change along"
                else:
                    label = ", ".join(f"{short[k]}={fmt_value(v)}" for k, v in zip(others, g))
                ys = [p["row"][mean_col] if mean_col in p["row"].keys() else None for p in pts]
                ys = [math.nan if v is None else v for v in ys]
                plotted += ys
                ax.plot(xs, ys, color=color, marker="o", ms=4, lw=1.4, label=label)
                if has_q:
                    q = [p["row"][metric + "_q95"] for p in pts]
                    plotted += [v for v in q if v is not None]
                    ax.plot(xs, [math.nan if v is None else v for v in q], color=color,
                            marker="^", ms=4, lw=1.0, ls="--")
            ax.set_xlabel(key)
            ax.set_ylabel(ylabel)
            if is_money:
                ax.yaxis.set_major_formatter(money_formatter(mticker))
            if numeric:
                ax.set_xticks(values)
                ax.set_xticklabels([fmt_value(v) for v in values])
            else:
                ax.set_xticks(range(len(values)))
                ax.set_xticklabels([fmt_value(v) for v in values])
                ax.set_xlim(-0.5, len(values) - 0.5)
            if metric == "bad_debt_probability":
                ax.set_ylim(-0.03, 1.03)
                ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
            elif log and is_money and log_axis(ax, mticker, plotted):
                # zeros have no place on a log axis: say how many are left out
                n_zero = sum(1 for v in plotted if v == 0)
                if n_zero:
                    ax.text(0.99, 0.02, f"{n_zero} zero value(s) not shown (log)",
                            transform=ax.transAxes, ha="right", fontsize=7, color="0.4")
            elif metric in ("bad_debt", "liquidated_notional", "max_cascade_rounds"):
                finite = [v for v in plotted if math.isfinite(v)]
                if finite and max(finite) == 0:
                    ax.set_ylim(-0.05, 1.0)   # all zero: a flat line at 0, not 0..0.055
                else:
                    ax.set_ylim(bottom=0)
            ax.grid(True, alpha=0.3)
            what = ylabel.split(" per run")[0].split(" (")[0]
            ax.set_title(f"{what} vs {short[key]}" if len(key) < 40 else what,
                         loc="left", fontsize=10)
        # One legend per row, right of the last panel.
        h, l = grid[i][-1].get_legend_handles_labels()
        from matplotlib.lines import Line2D
        h = h + [Line2D([], [], color="0.3", lw=1.4, marker="o", ms=4),
                 Line2D([], [], color="0.3", lw=1.0, ls="--", marker="^", ms=4)]
        l = l + ["mean", "95 % quantile"]
        title = "other axes" if others and mode != "zip" else None
        grid[i][-1].legend(h, l, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
                          title=title, title_fontsize=8, ncol=2 if len(l) > 14 else 1)
    top = 1 - 0.65 / fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, top))
    if out is None:
        out = default_out(db, f"sweep{sweep_id}")
    save(fig, out, plt)


# ---------------------------------------------------------------- calibrations

def plot_calibration(con, db, cal_id, out, log, mods):
    matplotlib, plt, mdates, mticker = mods
    tables = _tables(con)
    if "calibrations" not in tables or \
            con.execute("SELECT count(*) FROM calibrations").fetchone()[0] == 0:
        die(f"{db}: no calibrations in this database (made by liqsim calibrate?)")
    if cal_id is None:
        cal_id = con.execute("SELECT max(calibration_id) FROM calibrations").fetchone()[0]
    c = con.execute("SELECT * FROM calibrations WHERE calibration_id = ?", (cal_id,)).fetchone()
    if c is None:
        ids = ", ".join(str(r[0]) for r in con.execute("SELECT calibration_id FROM calibrations"))
        die(f"{db}: no calibration {cal_id} (calibrations: {ids})")
    pts = con.execute("SELECT value, metric, metric_se, runs FROM calibration_points"
                      " WHERE calibration_id = ? ORDER BY value, seq", (cal_id,)).fetchall()
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [p["value"] for p in pts]
    ys = [p["metric"] for p in pts]
    es = [1.96 * p["metric_se"] if p["metric_se"] is not None else 0.0 for p in pts]
    ax.errorbar(xs, ys, yerr=es, fmt="o-", ms=4, lw=1.0, capsize=3, color="C0",
                label=f"{c['target']} (+-1.96 se), {c['replicates']} replicates")
    ax.axhline(c["max"], color="C3", ls="--", lw=1.2, label=f"target max = {c['max']:g}")
    if c["value"] is not None:
        ax.axvspan(c["ci_low"], c["ci_high"], color="C2", alpha=0.2,
                   label=f"{100 * c['confidence']:g} % CI {c['ci_low']:.4g} to {c['ci_high']:.4g}")
        ax.axvline(c["value"], color="C2", lw=1.6, label=f"{c['key']} = {c['value']:.4g}")
    else:
        ax.text(0.5, 0.95, f"no value: {c['status']}", transform=ax.transAxes,
                ha="center", va="top", color="C3")
    if log and any(y > 0 for y in ys):
        ax.set_yscale("symlog", linthresh=max(1e-6, min([y for y in ys if y > 0])))
    ax.set_xlabel(c["key"])
    ax.set_ylabel(c["target"])
    cap = c["cap_response"] if "cap_response" in c.keys() else "?"
    ax.set_title(f"calibration {cal_id}: {c['scenario_name']} ({c['status']}, "
                 f"metric {c['direction']}, cap_response {cap})", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    if out is None:
        out = default_out(db, f"calibration{cal_id}")
    save(fig, out, plt)


# ---------------------------------------------------------------- backtest

ZONE_COLOURS = {"green": "#2ca02c", "yellow": "#f2c200", "red": "#d62728"}


def plot_backtest(con, db, bt_id, out, mods):
    matplotlib, plt, mdates, mticker = mods
    if "backtests" not in _tables(con):
        die(f"{db}: no backtests in this database")
    if bt_id is None:
        bt_id = con.execute("SELECT max(backtest_id) FROM backtests").fetchone()[0]
        if bt_id is None:
            die(f"{db}: no backtests in this database")
    sides = {r["side"]: r for r in con.execute(
        "SELECT * FROM backtests WHERE backtest_id = ?", (bt_id,))}
    if not sides:
        die(f"{db}: no backtest {bt_id}")
    pts = con.execute("SELECT t_ms, price, margin_long, margin_short, model_long, "
                      "model_short, move, exceed_long, exceed_short, zone_long, zone_short "
                      "FROM backtest_points WHERE backtest_id = ? ORDER BY t_ms",
                      (bt_id,)).fetchall()
    if not pts:
        die(f"{db}: backtest {bt_id} has no points")
    utc = datetime.timezone.utc
    x = [mdates.date2num(datetime.datetime.fromtimestamp(p["t_ms"] / 1000.0, utc)) for p in pts]
    lo = [math.log1p(-p["margin_long"]) for p in pts]
    hi = [math.log1p(p["margin_short"]) for p in pts]
    apc = sides["long"]["apc"] if "apc" in sides["long"].keys() else "none"

    fig, axes = plt.subplots(3, 1, figsize=(12, 8.5), sharex=True,
                             gridspec_kw={"height_ratios": [1.2, 3, 0.8]})
    ax0, ax1, ax2 = axes
    ax0.plot(x, [p["price"] for p in pts], color="0.2", lw=0.8)
    ax0.set_ylabel("entry price")
    ax0.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax0.yaxis.set_minor_formatter(mticker.NullFormatter())

    mx = [(xi, p["move"]) for xi, p in zip(x, pts) if p["move"] is not None]
    ax1.plot([a for a, _ in mx], [b for _, b in mx], color="0.55", lw=0.5,
             label="realised move over the horizon")
    ax1.plot(x, lo, color="#d62728", lw=1.0, label="long margin: ln(1 - m)")
    ax1.plot(x, hi, color="#1f77b4", lw=1.0, label="short margin: ln(1 + m)")
    if apc != "none":
        ax1.plot(x, [math.log1p(-p["model_long"]) for p in pts], color="#d62728", lw=0.7,
                 ls="--", label="long, before APC")
        ax1.plot(x, [math.log1p(p["model_short"]) for p in pts], color="#1f77b4", lw=0.7,
                 ls="--", label="short, before APC")
    el = [(xi, p["move"]) for xi, p in zip(x, pts) if p["exceed_long"]]
    es = [(xi, p["move"]) for xi, p in zip(x, pts) if p["exceed_short"]]
    L, S = sides["long"], sides["short"]
    ax1.scatter([a for a, _ in el], [b for _, b in el], marker="v", s=14, color="#d62728",
                zorder=3, label=f"long exceeded ({L['exceedances']} of {L['n_obs']})")
    ax1.scatter([a for a, _ in es], [b for _, b in es], marker="^", s=14, color="#1f77b4",
                zorder=3, label=f"short exceeded ({S['exceedances']} of {S['n_obs']})")
    ax1.axhline(0.0, color="0.3", lw=0.5)
    ax1.set_ylabel(f"log move over {L['horizon_bars']} bars")
    ymin = min([b for _, b in mx] + lo)
    ymax = max([b for _, b in mx] + hi)
    ax1.set_ylim(ymin - 0.45 * (ymax - ymin), ymax + 0.05 * (ymax - ymin))
    ax1.legend(loc="lower left", fontsize=8, ncol=3, framealpha=0.9)

    # traffic light of the trailing 250 non-overlapping observations
    for row, key in ((1, "zone_long"), (0, "zone_short")):
        zx = [(xi, p[key]) for xi, p in zip(x, pts) if p[key] is not None]
        for zone, colour in ZONE_COLOURS.items():
            xs = [a for a, z in zx if z == zone]
            if xs:
                ax2.scatter(xs, [row] * len(xs), marker="|", s=200, color=colour,
                            label=zone if row == 1 else None)
    ax2.set_yticks([0, 1])
    ax2.set_yticklabels(["short", "long"])
    ax2.set_ylim(-0.7, 1.7)
    ax2.set_ylabel("zone (last 250)")
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(loc="upper left", fontsize=8, ncol=3)
    else:
        ax2.text(0.5, 0.5, "fewer than 250 non-overlapping observations: no full window",
                 transform=ax2.transAxes, ha="center", va="center", fontsize=9, color="0.4")
    loc = mdates.AutoDateLocator(tz=utc)
    ax2.xaxis.set_major_locator(loc)
    ax2.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, tz=utc))
    ax2.set_xlabel("bar open time (UTC): the margin is set here")

    def p_str(v):
        return "n/a" if v is None else f"{v:.3g}"

    # With H > 1 the windows overlap: quote the non-overlapping statistics.
    sfx = "_nonoverlap" if L["horizon_bars"] > 1 and "kupiec_p_nonoverlap" in L.keys() else ""

    def side_line(name, r):
        return (f"{name}: {r['exceedances' + sfx]} of {r['n_obs' + sfx]} exceeded, Kupiec p "
                f"{p_str(r['kupiec_p' + sfx])}, Christoffersen cc p "
                f"{p_str(r['christoffersen_p_cc' + sfx])}, zone {r['zone'] or 'n/a (< 250 obs)'}")
    fig.suptitle(
        f"backtest {bt_id}: {L['model']} at {100 * L['confidence']:g} %, horizon "
        f"{L['horizon_bars']} bars, apc {apc} ({os.path.basename(L['file'] or '')})"
        f"{'; non-overlapping, one bar in ' + str(L['horizon_bars']) + ':' if sfx else ''}\n"
        f"{side_line('long', L)};  {side_line('short', S)}", fontsize=9.5)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    if out is None:
        out = default_out(db, f"backtest{bt_id}")
    save(fig, out, plt)


# ---------------------------------------------------------------- policies

SIZE_BUCKETS = [(1e3, "<1k"), (1e4, "1k-10k"), (1e5, "10k-100k"), (1e6, "100k-1M"),
                (math.inf, ">=1M")]
LEV_BUCKETS = [(3, "<=3x"), (7, "3-7x"), (15, "7-15x"), (35, "15-35x"), (75, "35-75x"),
               (math.inf, ">75x")]


def bucket_of(v, buckets):
    for j, (top, _label) in enumerate(buckets):
        if v < top or (top == math.inf):
            return j
    return len(buckets) - 1


def run_label(run):
    """The run's insurance policy (from --set or a sweep axis) and book."""
    try:
        params = json.loads(run["params"] or "{}")
    except ValueError:
        params = {}
    pol = params.get("insurance.policy")
    rep = ""
    if run["task_id"] is not None and run["sweep_id"] is not None:
        rep = f" t{run['task_id']}"
    return f"{pol or 'run'} #{run['run_id']}{rep}"


def positions_stored(con, tables, run_ids):
    """Whether every run in run_ids has its book in the positions table (a
    run stores it; a sweep's tasks do not, though the table exists)."""
    if "positions" not in tables or "leverage" not in columns(con, "positions"):
        return False
    return all(con.execute("SELECT 1 FROM positions WHERE run_id = ? LIMIT 1",
                           (rid,)).fetchone() is not None for rid in run_ids)


def plot_compare(con, db, run_ids, out, log, mods):
    """Who paid for the bad debt, one group of bars per run (one run per
    insurance policy, e.g. scenarios/adl-policies.cfg)."""
    matplotlib, plt, mdates, mticker = mods
    tables = _tables(con)
    runs = []
    for rid in run_ids:
        run = con.execute("SELECT * FROM runs WHERE run_id = ?", (rid,)).fetchone()
        if run is None:
            die(f"{db}: no run {rid}")
        sm = con.execute("SELECT * FROM summary WHERE run_id = ?", (rid,)).fetchone()
        if sm is None:
            die(f"{db}: run {rid} has no summary (status {run['status']})")
        runs.append((run, sm))
    has_pos = positions_stored(con, tables, [r["run_id"] for r, _ in runs])
    labels = [run_label(r) for r, _ in runs]
    stats = []
    for run, sm in runs:
        rid = run["run_id"]
        adl = con.execute("SELECT * FROM adl WHERE run_id = ?", (rid,)).fetchall() \
            if "adl" in tables else []
        closes = [a for a in adl if a["position_id"] is not None]
        charges = [a for a in adl if a["position_id"] is None]
        payers = len({a["position_id"] for a in closes})
        for a in charges:
            # Above 10^6 positions a socialised charge is one row for the
            # whole side: every open position of that side paid.
            st = con.execute("SELECT open_long, open_short FROM steps WHERE run_id = ?"
                             " AND step = ?", (rid, a["step"])).fetchone()
            if st is not None:
                payers = max(payers, st["open_long"] if a["side"] == "long"
                             else st["open_short"])
        largest = max((a["haircut"] or 0 for a in closes), default=None)
        by = [0.0] * (len(LEV_BUCKETS) if has_pos else len(SIZE_BUCKETS))
        if has_pos:
            for h, lev in con.execute(
                    "SELECT a.haircut, p.leverage FROM adl a JOIN positions p"
                    " ON p.run_id = a.run_id AND p.position_id = a.position_id"
                    " WHERE a.run_id = ?", (rid,)).fetchall():
                by[bucket_of(lev or 0, LEV_BUCKETS)] += h or 0
        else:
            for a in closes:
                # socialised charges (qty 0) have no closed notional: skip
                if (a["qty"] or 0) > 0:
                    by[bucket_of(a["qty"] * (a["price"] or 0), SIZE_BUCKETS)] += \
                        a["haircut"] or 0
        fund = con.execute("SELECT step, t_ms, insurance_fund FROM steps WHERE run_id = ?"
                           " ORDER BY step", (rid,)).fetchall()
        stats.append(dict(payers=payers, largest=largest, by=by, fund=fund,
                          traders=sm["haircut"] or 0, venue=sm["uncovered_loss"] or 0,
                          fundpaid=(sm["bad_debt"] or 0) - (sm["haircut"] or 0)
                          - (sm["uncovered_loss"] or 0),
                          closed=sum((a["qty"] or 0) * (a["price"] or 0) for a in closes),
                          n_charges=len(charges)))

    fig, axs = plt.subplots(2, 3, figsize=(18, 9.5))
    cmap = colormap(matplotlib, plt, "tab10")
    xs = list(range(len(runs)))
    names = [sm["run_id"] for _, sm in runs]
    scen = runs[0][0]["scenario_name"]
    fig.suptitle(wrap_title(f"{scen} — who paid for the bad debt, runs "
                            + ", ".join(str(n) for n in names), 110),
                 fontsize=13, fontweight="bold")

    def bars(ax, vals, title, ylabel, money_axis=True, na_text=None):
        vv = [math.nan if v is None else v for v in vals]
        ax.bar(xs, [0 if math.isnan(v) else v for v in vv],
               color=[cmap(i % 10) for i in xs])
        for i, v in enumerate(vv):
            ax.annotate(na_text if math.isnan(v) else
                        (money_tick(v) if money_axis else f"{v:,.0f}"),
                        (i, 0 if math.isnan(v) else v), ha="center", va="bottom",
                        fontsize=8, xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, loc="left", fontsize=10)
        ax.set_ylabel(ylabel)
        if money_axis:
            ax.yaxis.set_major_formatter(money_formatter(mticker))
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_ylim(bottom=0)
        top = max([v for v in vv if not math.isnan(v)] + [0])
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)

    bars(axs[0][0], [st["payers"] for st in stats],
         "who paid: positions charged (ADL closes, or every open position of the\n"
         "charged side under socialize)", "positions", money_axis=False)
    # Stacked: the fund, the traders (ADL / socialised), the venue (uncovered).
    ax = axs[0][1]
    bottom = [0.0] * len(xs)
    for key, color, lab in (("fundpaid", "tab:blue", "insurance fund"),
                            ("traders", "tab:orange", "traders (ADL haircut / socialised)"),
                            ("venue", "black", "uncovered (policy none)")):
        v = [st[key] for st in stats]
        ax.bar(xs, v, bottom=bottom, color=color, label=lab)
        bottom = [a + b for a, b in zip(bottom, v)]
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(money_formatter(mticker))
    ax.set_title("who paid the bad debt (quote ccy)", loc="left", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="y", alpha=0.3)
    bars(axs[0][2], [st["largest"] for st in stats],
         "largest single position's loss (ADL haircut or socialised charge)", "quote ccy",
         na_text="n/a (nobody charged)")
    bars(axs[1][0], [st["closed"] for st in stats], "notional closed by ADL",
         "quote ccy")
    # The haircut by leverage (with the book) or by PnL since entry.
    ax = axs[1][1]
    bk = LEV_BUCKETS if has_pos else SIZE_BUCKETS
    width = 0.8 / max(1, len(runs))
    for i, st in enumerate(stats):
        ax.bar([j + (i - (len(runs) - 1) / 2) * width for j in range(len(bk))], st["by"],
               width=width, color=cmap(i % 10), label=labels[i])
    ax.set_xticks(range(len(bk)))
    ax.set_xticklabels([b[1] for b in bk])
    ax.set_xlabel("leverage at entry" if has_pos else
                  "notional closed by ADL, per position (quote ccy)")
    ax.set_title("ADL haircut by " + ("leverage (positions table)" if has_pos else
                                      "size (leverage needs the positions table)"),
                 loc="left", fontsize=10)
    ax.yaxis.set_major_formatter(money_formatter(mticker))
    if log:
        log_axis(ax, mticker, [v for st in stats for v in st["by"]])
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    # The fund over time.
    ax = axs[1][2]
    for i, st in enumerate(stats):
        if not st["fund"]:
            continue
        ta = TimeAxis([r[0] for r in st["fund"]], [r[1] for r in st["fund"]], mdates)
        ax.plot([ta.x(r[0]) for r in st["fund"]], [r[2] for r in st["fund"]],
                color=cmap(i % 10), lw=1.2, label=labels[i],
                ls=["-", "--", ":", "-."][i % 4])
        ta.format(ax)
        ax.set_xlabel(ta.label())
    ax.yaxis.set_major_formatter(money_formatter(mticker))
    ax.set_title("insurance fund", loc="left", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    if out is None:
        out = default_out(db, "compare" + "-".join(str(n) for n in names[:6]))
    save(fig, out, plt)


# ---------------------------------------------------------------- main

def default_out(db, suffix):
    return f"{os.path.splitext(db)[0]}-{suffix}.png"


def save(fig, out, plt):
    try:
        fig.savefig(out, dpi=110)
    except OSError as e:
        die(f"{out}: cannot write ({e.strerror or e})", 1)
    plt.close(fig)
    print(out)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        die(message)


def positive_int(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a run/sweep id: {s!r}")
    if v <= 0:
        raise argparse.ArgumentTypeError(f"ids start at 1, got {s}")
    return v


def main():
    ap = Parser(prog=PROG, description="Draw a liqsim run or sweep from its SQLite database.",
                epilog="Default output: <db stem>-run<ID>.png or <db stem>-sweep<ID>.png "
                       "next to the database.")
    ap.add_argument("db", metavar="DB", help="results database written by liqsim")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--run", type=positive_int, metavar="ID",
                   help="run to draw (default: the newest run with step rows)")
    g.add_argument("--sweep", type=positive_int, nargs="?", const=0, metavar="ID",
                   help="draw a sweep's aggregates (default: the newest sweep)")
    g.add_argument("--calibration", type=positive_int, nargs="?", const=0, metavar="ID",
                   help="draw a calibration (default: the newest calibration)")
    g.add_argument("--backtest", type=positive_int, nargs="?", const=0, metavar="ID",
                   help="draw a margin backtest (default: the newest backtest)")
    g.add_argument("--compare", type=positive_int, nargs="+", metavar="RUN_ID",
                   help="compare runs (e.g. one per insurance policy): who paid for "
                        "the bad debt, the largest single loss, the fund")
    ap.add_argument("--out", "-o", metavar="PNG", help="output file")
    ap.add_argument("--log", action="store_true",
                    help="log scale for liquidation counts (run) or losses (sweep)")
    a = ap.parse_args()
    con, _ = open_db(a.db)  # input errors before the (slow) matplotlib import
    mods = import_matplotlib()
    try:
        if a.calibration is not None:
            plot_calibration(con, a.db, a.calibration or None, a.out, a.log, mods)
        elif a.backtest is not None:
            plot_backtest(con, a.db, a.backtest or None, a.out, mods)
        elif a.compare:
            plot_compare(con, a.db, a.compare, a.out, a.log, mods)
        elif a.sweep is not None:
            plot_sweep(con, a.db, a.sweep or None, a.out, a.log, mods)
        else:
            plot_run(con, a.db, a.run, a.out, a.log, mods)
    except sqlite3.DatabaseError as e:
        die(f"{a.db}: {e}")


if __name__ == "__main__":
    main()
