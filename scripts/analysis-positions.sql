-- analysis-positions.sql: who paid for uncovered bad debt, by leverage and by
-- PnL since entry.  Needs the book (table positions), which `liqsim run`
-- stores for books up to 10^6 positions (stats.positions); sweeps do not
-- store it, so run one policy per `liqsim run --set insurance.policy=...`.
--   sqlite3 results/adl.db < scripts/analysis-positions.sql
-- ADL rows close the counterparty at the liquidated side's bankruptcy price
-- (adl.price) and give up adl.haircut; a socialised charge (qty 0) is a
-- haircut on a position that stays open.  pnl_at_close = the counterparty's
-- PnL since entry at adl.price (what it kept), as a share of its entry
-- notional.
.mode column
.headers on

.print '== who paid, by leverage'
SELECT a.run_id, p.leverage, count(*) AS rows, count(DISTINCT a.position_id) AS payers,
       round(sum(a.qty * a.price)) AS closed_notional,
       round(sum(a.haircut), 2) AS haircut, round(max(a.haircut), 2) AS largest
FROM adl a JOIN positions p ON p.run_id = a.run_id AND p.position_id = a.position_id
GROUP BY a.run_id, p.leverage ORDER BY a.run_id, p.leverage;

.print
.print '== who paid, by PnL at the close (share of entry notional)'
WITH r AS (
  SELECT a.run_id, a.haircut,
         CASE WHEN a.qty = 0 THEN NULL
              ELSE (CASE p.side WHEN 'long' THEN a.price - p.entry ELSE p.entry - a.price END)
                   / p.entry END AS pnl_share
  FROM adl a JOIN positions p ON p.run_id = a.run_id AND p.position_id = a.position_id
)
SELECT run_id,
       CASE WHEN pnl_share IS NULL THEN '0 socialised charge (stays open)'
            WHEN pnl_share < 0     THEN '1 loss at the close'
            WHEN pnl_share < 0.01  THEN '2 profit < 1 %'
            WHEN pnl_share < 0.05  THEN '3 profit 1-5 %'
            WHEN pnl_share < 0.20  THEN '4 profit 5-20 %'
            ELSE '5 profit >= 20 %' END AS pnl_at_close,
       count(*) AS rows, round(sum(haircut), 2) AS haircut, round(max(haircut), 2) AS largest
FROM r GROUP BY run_id, pnl_at_close ORDER BY run_id, pnl_at_close;
