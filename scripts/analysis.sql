-- analysis.sql: ready-made questions for a liqsim results database.
--
--   sqlite3 results/default.db < scripts/analysis.sql
--   sqlite3 results/sweep-margins.db < scripts/analysis.sql
--
-- Every query covers every run (or sweep) in the file; add a
-- "WHERE run_id = N" to look at one.  Queries about tables a database does
-- not fill (liquidations with stats.events = false, sweeps of a single run)
-- print no rows.  The dot-commands (.headers, .mode, .print) are for the
-- sqlite3 shell; strip them to use the queries elsewhere.  Column meanings:
-- README.md, "The database" and "Sweeps".  Money is in quote currency.

.headers on
.mode column --wrap 0

-- 1. Runs at a glance: the 20 runs with the largest bad debt (then the most
--    liquidated notional).  impact_low_bp = ln(market low / exogenous low)
--    in basis points: what forced trades added to the fall.
.print
.print '== 1. runs with the largest bad debt'
SELECT r.run_id, r.scenario_name AS scenario, r.params,
       s.liquidated, round(s.liquidated_notional) AS liq_notional,
       round(s.bad_debt, 2) AS bad_debt, round(s.haircut, 2) AS adl_haircut,
       round(s.uncovered_loss, 2) AS uncovered,
       s.max_cascade_rounds AS max_rounds, round(1e4 * s.impact_at_low, 1) AS impact_low_bp
FROM runs r JOIN summary s USING (run_id)
ORDER BY s.bad_debt DESC, s.liquidated_notional DESC, r.run_id
LIMIT 20;

-- 2. Biggest cascades: the 20 steps with the most liquidated notional, with
--    how many rounds the cascade ran and how far impact had pushed the market
--    price away from the exogenous one at the step's close (negative: below).
--    Only stored step rows (stats.steps, every stats.every-th step).
.print
.print '== 2. biggest cascades (steps by liquidated notional)'
SELECT st.run_id, st.step, st.t_ms,
       st.liquidations AS liqs, st.liquidations_long AS longs,
       st.liquidations_short AS shorts, round(st.liquidated_notional) AS notional,
       st.cascade_rounds AS rounds,
       round(100.0 * (st.price / st.price_exogenous - 1), 3) AS impact_pct,
       round(st.bad_debt, 2) AS bad_debt, round(st.insurance_fund) AS fund
FROM steps st
WHERE st.liquidations > 0
ORDER BY st.liquidated_notional DESC, st.cascade_rounds DESC
LIMIT 20;

-- 3. Anatomy of the largest cascade of each run (by liquidated notional in
--    one step, from the liquidations table: needs stats.events): hits,
--    notional and bad debt per round.  A round's fills move the price, which
--    triggers the next round; fill_vs_trigger_pct is the mean slippage of the
--    round's fills against the trigger price.
.print
.print '== 3. cascade anatomy: the largest step of each run, round by round'
WITH per_step AS (
  SELECT run_id, step, sum(qty * price) AS notional
  FROM liquidations GROUP BY run_id, step
), top AS (
  SELECT run_id, step FROM (
    SELECT run_id, step,
           row_number() OVER (PARTITION BY run_id ORDER BY notional DESC, step) AS k
    FROM per_step)
  WHERE k = 1
)
SELECT l.run_id, l.step, l.round, count(*) AS hits,
       sum(l.side = 'long') AS longs, sum(l.side = 'short') AS shorts,
       round(sum(l.qty * l.price)) AS notional,
       round(min(l.price), 2) AS min_fill, round(max(l.price), 2) AS max_fill,
       round(100.0 * avg(l.price / l.trigger_price - 1), 4) AS fill_vs_trigger_pct,
       round(sum(l.loss), 2) AS bad_debt
FROM liquidations l JOIN top USING (run_id, step)
GROUP BY l.run_id, l.step, l.round
ORDER BY l.run_id, l.round
LIMIT 200;

-- 4. Impact per run: how much further the market price fell (or rose) than
--    the exogenous path because of forced trading, in basis points of log
--    price at the extremes; the forced share of the fall (rise): that part
--    of the market's log fall below (rise above) the start (NULL when it
--    never went there); with stats.counterfactual, the liquidations the
--    cascade itself added.  max_gap is the largest stored close-to-close
--    gap between market and exogenous price, in percent (stored step rows
--    only).
.print
.print '== 4. impact per run'
SELECT r.run_id, r.scenario_name AS scenario, r.params,
       round(100 * s.drawdown, 3) AS drawdown_pct,
       round(100 * s.drawdown_exogenous, 3) AS exo_drawdown_pct,
       round(1e4 * s.impact_at_low, 1) AS impact_low_bp,
       round(1e4 * s.impact_at_high, 1) AS impact_high_bp,
       round(s.forced_share_of_fall, 4) AS forced_share_fall,
       round(s.forced_share_of_rise, 4) AS forced_share_rise,
       s.liquidated - s.liquidated_without_impact AS added_by_impact,
       g.max_gap_pct, round(s.liquidated_notional) AS liq_notional
FROM runs r JOIN summary s USING (run_id)
LEFT JOIN (SELECT run_id,
                  round(max(abs(100.0 * (price / price_exogenous - 1))), 3) AS max_gap_pct
           FROM steps GROUP BY run_id) g USING (run_id)
ORDER BY s.impact_at_low ASC NULLS LAST, r.run_id
LIMIT 50;

-- 5. Bad debt by grid point of each sweep, recomputed from the tasks' run
--    summaries (a cross-check of sweep_aggregates, which also holds the
--    nearest-rank quantiles): replicates done, mean and maximum bad debt,
--    the probability of any bad debt, mean uncovered loss and liquidated
--    notional, and the aggregates' VaR 95 %.
.print
.print '== 5. bad debt by sweep grid point'
SELECT t.sweep_id, t.grid_index, t.params, count(*) AS n,
       round(avg(s.bad_debt), 2) AS bad_debt_mean,
       round(max(s.bad_debt), 2) AS bad_debt_max,
       round(avg(s.bad_debt > 0), 3) AS p_bad_debt,
       round(a.var95_bad_debt, 2) AS var95_bad_debt,
       round(avg(s.uncovered_loss), 2) AS uncovered_mean,
       round(avg(s.liquidated_notional)) AS liq_notional_mean,
       round(a.lar95_liquidated_notional) AS lar95,
       round(avg(1e4 * s.impact_at_low), 1) AS impact_low_bp_mean
FROM tasks t
JOIN summary s ON s.run_id = t.run_id
LEFT JOIN sweep_aggregates a ON a.sweep_id = t.sweep_id AND a.grid_index = t.grid_index
WHERE t.status = 'done'
GROUP BY t.sweep_id, t.grid_index
ORDER BY t.sweep_id, t.grid_index;

-- 6. Liquidations by leverage bucket.  The book is not stored, so leverage
--    is estimated from each hit's bankruptcy price p_b (where equity is 0):
--    a position opened at p0 with leverage L has p_b = p0 (1 - 1/L) (long)
--    or p0 (1 + 1/L) (short), so L ~ p0 / |p0 - p_b|, with p0 the run's
--    start price.  (The liquidation/bankruptcy price ratio is no proxy: with
--    flat rates it is 1/(1 -/+ mmr) for every position.)  The estimate is
--    noisy where entries are spread around p0 (book.entry.spread), and off
--    for entries from a history warm-up or a book file; partial closes count
--    as hits.
.print
.print '== 6. liquidations by estimated leverage at entry (p0 / |p0 - bankruptcy price|)'
WITH lev AS (
  SELECT l.run_id, l.side, l.qty * l.price AS notional, l.loss,
         s.start_price / abs(s.start_price - l.bankruptcy_price) AS lev
  FROM liquidations l JOIN summary s USING (run_id)
  WHERE l.bankruptcy_price IS NOT NULL AND l.bankruptcy_price <> s.start_price
)
SELECT run_id,
       CASE WHEN lev <= 3 THEN '1 (<=3x)'
            WHEN lev <= 7 THEN '2 (3-7x)'
            WHEN lev <= 15 THEN '3 (7-15x)'
            WHEN lev <= 35 THEN '4 (15-35x)'
            WHEN lev <= 75 THEN '5 (35-75x)'
            WHEN lev <= 150 THEN '6 (75-150x)'
            ELSE '7 (>150x)' END AS leverage_bucket,
       count(*) AS hits, sum(side = 'long') AS longs, sum(side = 'short') AS shorts,
       round(sum(notional)) AS notional,
       sum(loss > 0) AS with_bad_debt, round(sum(loss), 2) AS bad_debt
FROM lev
GROUP BY run_id, leverage_bucket
ORDER BY run_id, leverage_bucket;

-- 7. ADL victims: who paid when the insurance fund ran dry.  First the
--    totals per run and side (position_id NULL rows are socialised charges
--    to a whole side), then the 20 largest haircuts of individual positions
--    with their ADL rank score (PnL ratio x effective leverage for
--    adl-ranked).
.print
.print '== 7a. ADL and socialised loss per run and side'
SELECT run_id, side,
       count(position_id) AS positions_closed,
       sum(position_id IS NULL) AS socialised_charges,
       round(sum(qty * price)) AS adl_notional,
       round(sum(haircut), 2) AS haircut,
       min(step) AS first_step, max(step) AS last_step
FROM adl
GROUP BY run_id, side
ORDER BY run_id, side;

.print
.print '== 7b. the 20 largest ADL haircuts of single positions'
SELECT run_id, step, round, position_id, side, round(qty, 6) AS qty,
       round(price, 2) AS price, round(share, 4) AS share,
       round(haircut, 2) AS haircut, round(rank_score, 4) AS rank_score
FROM adl
WHERE position_id IS NOT NULL
ORDER BY haircut DESC
LIMIT 20;

-- 8. Comparing insurance policies (e.g. scenarios/adl-policies.cfg, one run
--    per policy and book): who paid for the bad debt the fund could not
--    cover.  'none': nobody (uncovered_loss stays with the venue);
--    adl-ranked / adl-prorata: the profitable opposite positions closed;
--    socialize: every open position of the opposite side, one adl row each
--    (qty 0).  payers = distinct positions in adl; a book above 10^6
--    positions stores one row per socialised charge (position_id NULL,
--    side = the charged side), counted as that side's open positions at
--    the charge's step.  largest_loss = the largest single position's
--    haircut.  The policy is the one --set or a sweep axis gave, else
--    'file' (the scenario's own).
.print
.print '== 8a. who paid, per run (policy comparison)'
WITH pol AS (
  SELECT r.run_id, coalesce(json_extract(r.params, '$."insurance.policy"'), 'file') AS policy,
         t.replicate
  FROM runs r LEFT JOIN tasks t ON t.run_id = r.run_id
), per_pos AS (
  SELECT run_id, count(DISTINCT position_id) AS payers,
         round(sum(qty * price)) AS closed_notional,
         round(max(haircut), 2) AS largest_loss
  FROM adl WHERE position_id IS NOT NULL GROUP BY run_id
), whole_side AS (
  SELECT a.run_id, count(*) AS charges,
         max(CASE WHEN a.side = 'long' THEN st.open_long ELSE st.open_short END) AS payers
  FROM adl a LEFT JOIN steps st ON st.run_id = a.run_id AND st.step = a.step
  WHERE a.position_id IS NULL GROUP BY a.run_id
)
SELECT p.run_id, p.policy, p.replicate, s.liquidated, round(s.bad_debt, 2) AS bad_debt,
       round(s.uncovered_loss, 2) AS uncovered, round(s.haircut, 2) AS paid_by_traders,
       coalesce(pp.payers, 0) + coalesce(ws.payers, 0) AS payers,
       coalesce(pp.closed_notional, 0) AS closed_notional, pp.largest_loss,
       coalesce(ws.charges, 0) AS whole_side_charges,
       round(s.insurance_fund_min, 2) AS fund_min, round(s.insurance_fund_end, 2) AS fund_end,
       s.first_adl_step
FROM pol p JOIN summary s USING (run_id)
LEFT JOIN per_pos pp USING (run_id) LEFT JOIN whole_side ws USING (run_id)
ORDER BY p.replicate, p.policy, p.run_id;

-- 8b. Who paid by size: the haircut by the position's closed notional
--     (ADL closes) per run; and the 5 largest single losses of each run
--     (ADL haircut or socialised charge).  By leverage and by PnL since
--     entry: join adl.position_id to the book (table positions, when the
--     run stored it).
.print
.print '== 8b. ADL haircut by closed notional'
SELECT run_id,
       CASE WHEN qty * price < 1e3 THEN '1 (<1k)'
            WHEN qty * price < 1e4 THEN '2 (1k-10k)'
            WHEN qty * price < 1e5 THEN '3 (10k-100k)'
            WHEN qty * price < 1e6 THEN '4 (100k-1M)'
            ELSE '5 (>=1M)' END AS closed_notional,
       count(*) AS closes, round(sum(qty * price)) AS notional,
       round(sum(haircut), 2) AS haircut, round(max(haircut), 2) AS largest
FROM adl WHERE position_id IS NOT NULL AND qty > 0   -- ADL closes, not charges
GROUP BY run_id, closed_notional ORDER BY run_id, closed_notional;

.print
.print '== 8c. the 5 largest single losses of each run'
SELECT run_id, position_id, side, step, round(qty * price) AS closed_notional,
       round(haircut, 2) AS haircut
FROM (SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY haircut DESC) AS k
      FROM adl WHERE position_id IS NOT NULL)
WHERE k <= 5 ORDER BY run_id, k;
