# integration.cmake: tests that run the liqsim binary (included by
# tests/CMakeLists.txt).
#
#   cli_check_<scenario>   every shipped scenario passes 'liqsim check'
#   cli_help_*             --help, --version exit 0
#   cli_ok_*               small valid runs and checks of the fixtures
#   cli_bad_*              bad usage and bad input: exact exit code (2, or 1 for
#                          runtime failures) and the "liqsim: FILE:LINE:" message,
#                          through expect_fail.sh (ctest cannot check both)
#   test_cli               (tests/test_cli.c, cmocka) end-to-end runs read back
#                          through SQLite
#
# Exit codes (DESIGN.md): 0 ok, 1 runtime failure, 2 bad usage or bad input.
# An input the user named that cannot be read (scenario, price CSV, database
# for report) is bad input: exit 2.

set(LIQ_BIN $<TARGET_FILE:liqsim>)
set(LIQ_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data)
set(LIQ_EXPECT sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_fail.sh)

# test_cli runs the binary: build it first.
if(TARGET test_cli)
  add_dependencies(test_cli liqsim)
endif()

# (a) Every shipped scenario validates (file, price data and book).
file(GLOB LIQ_SCENARIOS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.cfg)
foreach(cfg ${LIQ_SCENARIOS})
  get_filename_component(name ${cfg} NAME_WE)
  add_test(NAME cli_check_${name} COMMAND liqsim check ${cfg})
  set_tests_properties(cli_check_${name} PROPERTIES
    PASS_REGULAR_EXPRESSION "${name}.cfg: ok \\([0-9]+ positions, [0-9]+ steps, [a-z]+\\)")
endforeach()

# (b) Help and version.
add_test(NAME cli_help COMMAND liqsim --help)
add_test(NAME cli_help_short COMMAND liqsim -h)
add_test(NAME cli_help_run COMMAND liqsim run --help)
add_test(NAME cli_help_check COMMAND liqsim check -h)
add_test(NAME cli_help_report COMMAND liqsim report --help)
add_test(NAME cli_version COMMAND liqsim --version)
set_tests_properties(cli_help cli_help_short PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim COMMAND")
set_tests_properties(cli_help_run PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim run SCENARIO \\[--out DB\\] \\[--seed N\\]")
set_tests_properties(cli_help_check PROPERTIES PASS_REGULAR_EXPRESSION "usage: liqsim check")
set_tests_properties(cli_help_report PROPERTIES PASS_REGULAR_EXPRESSION "usage: liqsim report")
set_tests_properties(cli_version PROPERTIES
  PASS_REGULAR_EXPRESSION "^liqsim ${PROJECT_VERSION}")

# Valid fixtures run (exit 0 is what ctest checks without a regex).
add_test(NAME cli_ok_check_replay COMMAND liqsim check ${LIQ_DATA}/cli_replay_ok.cfg)
set_tests_properties(cli_ok_check_replay PROPERTIES
  PASS_REGULAR_EXPRESSION "cli_replay_ok.cfg: ok \\(10 positions, 6 steps, replay\\)")
# A fresh database each time: runs append, and an old file could hold an
# older schema.
add_test(NAME cli_ok_run_replay_clean COMMAND ${CMAKE_COMMAND} -E rm -f
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_run_replay.db
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_run_replay.db-wal
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_run_replay.db-shm)
set_tests_properties(cli_ok_run_replay_clean PROPERTIES FIXTURES_SETUP cli_replay_db)
add_test(NAME cli_ok_run_replay COMMAND liqsim run ${LIQ_DATA}/cli_replay_ok.cfg
  --quiet --out ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_run_replay.db)
set_tests_properties(cli_ok_run_replay PROPERTIES FIXTURES_REQUIRED cli_replay_db)

# (c) Bad usage and bad input: liqsim_expect_fail(NAME CODE REGEX ARGS...)
function(liqsim_expect_fail name code regex)
  add_test(NAME cli_bad_${name}
           COMMAND ${LIQ_EXPECT} ${code} "${regex}" ${LIQ_BIN} ${ARGN})
endfunction()

# Scenario files: errors located at FILE:LINE of the offending setting.
liqsim_expect_fail(maintenance 2 "^liqsim: .*cli_bad_maintenance\\.cfg:11: .*maintenance"
  check ${LIQ_DATA}/cli_bad_maintenance.cfg)
liqsim_expect_fail(leverage 2 "^liqsim: .*cli_bad_leverage\\.cfg:8: .*leverage"
  check ${LIQ_DATA}/cli_bad_leverage.cfg)
liqsim_expect_fail(unknown_key 2 "^liqsim: .*cli_unknown_key\\.cfg:8: .*colour"
  check ${LIQ_DATA}/cli_unknown_key.cfg)
liqsim_expect_fail(syntax 2 "^liqsim: .*cli_syntax\\.cfg:4: "
  check ${LIQ_DATA}/cli_syntax.cfg)
liqsim_expect_fail(empty_scenario 2 "^liqsim: .*cli_empty\\.cfg(:[0-9]+)?: "
  check ${LIQ_DATA}/cli_empty.cfg)
liqsim_expect_fail(missing_scenario 2 "^liqsim: .*no_such_scenario\\.cfg"
  check ${LIQ_DATA}/no_such_scenario.cfg)
liqsim_expect_fail(run_bad_maintenance 2 "^liqsim: .*cli_bad_maintenance\\.cfg:11: "
  run ${LIQ_DATA}/cli_bad_maintenance.cfg --out ${CMAKE_CURRENT_BINARY_DIR}/cli_never.db)

# Replay price data: errors located at the CSV's FILE:LINE; 'check' loads it.
liqsim_expect_fail(csv_nan 2 "^liqsim: .*cli_nan\\.csv:4: "
  check ${LIQ_DATA}/cli_replay_nan.cfg)
liqsim_expect_fail(csv_unsorted 2 "^liqsim: .*cli_unsorted\\.csv:4: "
  check ${LIQ_DATA}/cli_replay_unsorted.cfg)
liqsim_expect_fail(csv_duplicate 2 "^liqsim: .*cli_duplicate\\.csv:4: "
  check ${LIQ_DATA}/cli_replay_duplicate.cfg)
liqsim_expect_fail(csv_empty 2 "^liqsim: .*cli_empty\\.csv(:[0-9]+)?: "
  check ${LIQ_DATA}/cli_replay_empty.cfg)
liqsim_expect_fail(csv_missing 2 "^liqsim: .*cli_no_such_file\\.csv"
  check ${LIQ_DATA}/cli_replay_missing.cfg)
liqsim_expect_fail(run_csv_nan 2 "^liqsim: .*cli_nan\\.csv:4: "
  run ${LIQ_DATA}/cli_replay_nan.cfg --out ${CMAKE_CURRENT_BINARY_DIR}/cli_never.db)

# --set overrides: located as --set:N (N = the override's position).
liqsim_expect_fail(set_no_equals 2 "^liqsim: --set:1: "
  check ${LIQ_DATA}/cli_replay_ok.cfg --set book.positions)
liqsim_expect_fail(set_bad_value 2 "^liqsim: --set:2: "
  check ${LIQ_DATA}/cli_replay_ok.cfg --set book.positions=20 --set margin.maintenance=0.5)
liqsim_expect_fail(set_unknown_key 2 "^liqsim: --set:1: .*colour"
  check ${LIQ_DATA}/cli_replay_ok.cfg --set book.colour=3)
liqsim_expect_fail(set_not_a_number 2 "^liqsim: --set:1: "
  check ${LIQ_DATA}/cli_replay_ok.cfg --set book.positions=many)

# Command line.
liqsim_expect_fail(no_args 2 "usage: liqsim")
liqsim_expect_fail(unknown_command 2 "^liqsim: unknown command 'frobnicate'" frobnicate)
liqsim_expect_fail(unknown_global_option 2 "^liqsim: unknown option '--frobnicate'" --frobnicate)
liqsim_expect_fail(unknown_option 2 "^liqsim: run: unknown option '--frobnicate'"
  run ${LIQ_DATA}/cli_replay_ok.cfg --frobnicate)
liqsim_expect_fail(unknown_option_hint 2 "^Try 'liqsim run --help'"
  run ${LIQ_DATA}/cli_replay_ok.cfg --frobnicate)
liqsim_expect_fail(option_not_for_command 2 "^liqsim: check: unknown option '--seed'"
  check ${LIQ_DATA}/cli_replay_ok.cfg --seed 3)
liqsim_expect_fail(missing_scenario_arg 2 "^liqsim: run: missing SCENARIO" run --quiet)
liqsim_expect_fail(extra_arg 2 "^liqsim: check: unexpected argument"
  check ${LIQ_DATA}/cli_replay_ok.cfg ${LIQ_DATA}/cli_replay_ok.cfg)
liqsim_expect_fail(out_no_value 2 "^liqsim: run: option '--out' needs"
  run ${LIQ_DATA}/cli_replay_ok.cfg --out)
liqsim_expect_fail(seed_negative 2 "^liqsim: run: --seed must be a non-negative integer, got '-1'"
  run ${LIQ_DATA}/cli_replay_ok.cfg --seed -1)
liqsim_expect_fail(seed_word 2 "^liqsim: run: --seed must be a non-negative integer, got 'abc'"
  run ${LIQ_DATA}/cli_replay_ok.cfg --seed abc)
liqsim_expect_fail(seed_float 2 "^liqsim: run: --seed must be a non-negative integer, got '1e3'"
  run ${LIQ_DATA}/cli_replay_ok.cfg --seed=1e3)
liqsim_expect_fail(seed_overflow 2 "^liqsim: run: --seed must be a non-negative integer"
  run ${LIQ_DATA}/cli_replay_ok.cfg --seed 18446744073709551616)
liqsim_expect_fail(seed_missing 2 "^liqsim: run: option '--seed' needs a value"
  run ${LIQ_DATA}/cli_replay_ok.cfg --seed)
liqsim_expect_fail(report_missing_db 2 "^liqsim: .*no_such\\.db: "
  report ${CMAKE_CURRENT_BINARY_DIR}/no_such.db)
liqsim_expect_fail(report_bad_run 2 "^liqsim: report: --run must be a positive integer"
  report ${CMAKE_CURRENT_BINARY_DIR}/no_such.db --run 0)

# A runtime failure (the database cannot be created) is exit 1, not 2.
liqsim_expect_fail(out_unwritable 1 "^liqsim: "
  run ${LIQ_DATA}/cli_replay_ok.cfg --quiet --out /nonexistent-liqsim-dir/x.db)

# Sweeps (liqsim sweep / merge).  test_sweep_cli (tests/test_sweep_cli.c)
# runs the binary: -j 1 vs -j 2, shards + merge, kill + resume, MPI.
if(TARGET test_sweep_cli)
  add_dependencies(test_sweep_cli liqsim)
  if(LIQ_MPI)
    target_compile_definitions(test_sweep_cli PRIVATE
      LIQ_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  endif()
endif()
add_test(NAME cli_help_sweep COMMAND liqsim sweep --help)
set_tests_properties(cli_help_sweep PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim sweep SCENARIO \\[--out DB\\] \\[--seed N\\] \\[--set key=value\\]\\.\\.\\. \\[-j N\\] \\[--shard K/N\\]")
add_test(NAME cli_help_merge COMMAND liqsim merge --help)
set_tests_properties(cli_help_merge PROPERTIES PASS_REGULAR_EXPRESSION "usage: liqsim merge OUT_DB IN_DB")
liqsim_expect_fail(sweep_no_section 2 "^liqsim: .*cli_replay_ok\\.cfg: no sweep section"
  sweep ${LIQ_DATA}/cli_replay_ok.cfg --out ${CMAKE_CURRENT_BINARY_DIR}/cli_never.db)
liqsim_expect_fail(sweep_bad_shard 2 "^liqsim: sweep: --shard must be K/N with 1 <= K <= N, got '3/2'"
  sweep ${LIQ_DATA}/sweep_small.cfg --shard 3/2)
liqsim_expect_fail(sweep_bad_shard_form 2 "^liqsim: sweep: --shard must be K/N"
  sweep ${LIQ_DATA}/sweep_small.cfg --shard 2)
liqsim_expect_fail(sweep_bad_jobs 2 "^liqsim: sweep: -j must be a whole number"
  sweep ${LIQ_DATA}/sweep_small.cfg -j 0)
liqsim_expect_fail(sweep_missing_scenario 2 "^liqsim: .*no_such_sweep\\.cfg"
  sweep ${LIQ_DATA}/no_such_sweep.cfg)
liqsim_expect_fail(merge_one_arg 2 "^liqsim: merge: needs OUT_DB and at least one IN_DB"
  merge ${CMAKE_CURRENT_BINARY_DIR}/cli_never.db)
liqsim_expect_fail(merge_missing_input 2 "^liqsim: .*no_such_shard\\.db: "
  merge ${CMAKE_CURRENT_BINARY_DIR}/cli_never.db ${CMAKE_CURRENT_BINARY_DIR}/no_such_shard.db)

# Fitting (liqsim fit): the section it prints, usage and data errors.
set(LIQ_BTC_1H ${PROJECT_SOURCE_DIR}/scenarios/data/btc_usdt_1h_binance_spot_2017-08_2024-04.csv)
add_test(NAME cli_help_fit COMMAND liqsim fit --help)
set_tests_properties(cli_help_fit PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim fit CSV --model gbm\\|jump\\|garch")
add_test(NAME cli_ok_fit_gbm COMMAND liqsim fit ${LIQ_BTC_1H} --model gbm
  --from 2021-01-01 --to "2021-12-31 23:00")
set_tests_properties(cli_ok_fit_gbm PROPERTIES PASS_REGULAR_EXPRESSION
  "8[0-9][0-9][0-9] log returns of 3600 s bars.*price = {.*model += \"gbm\";.*step_seconds = 3600;")
liqsim_expect_fail(fit_no_model 2 "^liqsim: fit: missing --model" fit ${LIQ_DATA}/cli_ok.csv)
liqsim_expect_fail(fit_bad_model 2 "^liqsim: fit: --model must be gbm, jump or garch, got 'heston'"
  fit ${LIQ_DATA}/cli_ok.csv --model heston)
liqsim_expect_fail(fit_bad_date 2 "^liqsim: fit: --from must be YYYY-MM-DD"
  fit ${LIQ_DATA}/cli_ok.csv --model gbm --from 2021-02-30)
liqsim_expect_fail(fit_too_short 2 "^liqsim: .*cli_ok\\.csv: fit jump: 5 usable returns .*need at least 100"
  fit ${LIQ_DATA}/cli_ok.csv --model jump)
liqsim_expect_fail(fit_bad_csv 2 "^liqsim: .*cli_nan\\.csv:[0-9]+: "
  fit ${LIQ_DATA}/cli_nan.csv --model gbm)
liqsim_expect_fail(fit_missing_csv 2 "^liqsim: .*no_such\\.csv: "
  fit ${LIQ_DATA}/no_such.csv --model gbm)

# (e) liqsim backtest: a small run, help, and bad input (exit 2).
add_test(NAME cli_help_backtest COMMAND liqsim backtest --help)
set_tests_properties(cli_help_backtest PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim backtest CSV --model hs\\|ewma\\|fhs\\|garch\\|file")
add_test(NAME cli_ok_backtest_clean COMMAND ${CMAKE_COMMAND} -E rm -f
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_backtest.db ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_backtest.db-wal
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_backtest.db-shm)
set_tests_properties(cli_ok_backtest_clean PROPERTIES FIXTURES_SETUP cli_backtest_db)
add_test(NAME cli_ok_backtest_hs COMMAND liqsim backtest ${LIQ_DATA}/bt_prices.csv
  --model hs --horizon-bars 4 --lookback-bars 48
  --out ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_backtest.db)
set_tests_properties(cli_ok_backtest_hs PROPERTIES
  PASS_REGULAR_EXPRESSION "backtest [0-9]+: hs on .*bt_prices\\.csv.*traffic light")
add_test(NAME cli_ok_backtest_file COMMAND liqsim backtest ${LIQ_DATA}/bt_prices.csv
  --model file --margin-file ${LIQ_DATA}/bt_margins_ok.csv --horizon-bars 4 --quiet
  --out ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_backtest.db)
set_tests_properties(cli_ok_backtest_hs cli_ok_backtest_file PROPERTIES
  FIXTURES_REQUIRED cli_backtest_db)
liqsim_expect_fail(backtest_unknown_model 2
  "^liqsim: backtest: --model must be hs, ewma, fhs, garch or file, got 'var'"
  backtest ${LIQ_DATA}/bt_prices.csv --model var)
liqsim_expect_fail(backtest_no_model 2 "^liqsim: backtest: missing --model"
  backtest ${LIQ_DATA}/bt_prices.csv)
liqsim_expect_fail(backtest_confidence_one 2
  "^liqsim: backtest: --confidence must be a number in \\(0, 1\\), got '1'"
  backtest ${LIQ_DATA}/bt_prices.csv --model ewma --confidence 1)
liqsim_expect_fail(backtest_confidence_negative 2
  "^liqsim: backtest: --confidence must be a number in \\(0, 1\\), got '-0.5'"
  backtest ${LIQ_DATA}/bt_prices.csv --model ewma --confidence=-0.5)
liqsim_expect_fail(backtest_margin_bad_row 2
  "^liqsim: .*bt_margins_bad\\.csv:4: short margin must be a rate >= 0, got 'oops'"
  backtest ${LIQ_DATA}/bt_prices.csv --model file --margin-file ${LIQ_DATA}/bt_margins_bad.csv)
liqsim_expect_fail(backtest_margin_missing_bar 2
  "^liqsim: .*bt_margins_missing\\.csv:52: no margin row for the bar at 2020-01-03 02:00 UTC"
  backtest ${LIQ_DATA}/bt_prices.csv --model file --margin-file ${LIQ_DATA}/bt_margins_missing.csv
  --horizon-bars 4 --out ${CMAKE_CURRENT_BINARY_DIR}/cli_bad_backtest.db)
liqsim_expect_fail(backtest_file_without_margins 2
  "^liqsim: backtest: --model file needs --margin-file"
  backtest ${LIQ_DATA}/bt_prices.csv --model file)
liqsim_expect_fail(backtest_horizon_too_long 2
  "^liqsim: .*bt_prices\\.csv: the horizon of 500 bars is longer than the data"
  backtest ${LIQ_DATA}/bt_prices.csv --model hs --horizon-bars 500)
liqsim_expect_fail(backtest_lookback_too_long 2
  "^liqsim: .*bt_prices\\.csv: a lookback of 8760 bars and a horizon of 24 bars need more"
  backtest ${LIQ_DATA}/bt_prices.csv --model ewma)
liqsim_expect_fail(backtest_missing_csv 2 "^liqsim: .*no_such_prices\\.csv"
  backtest ${LIQ_DATA}/no_such_prices.csv --model hs)
liqsim_expect_fail(backtest_bad_apc 2 "^liqsim: backtest: --apc must be buffer, floor, stress"
  backtest ${LIQ_DATA}/bt_prices.csv --model hs --apc brake)

# margin.initial_from: errors at the scenario's FILE:LINE, exit 2.
liqsim_expect_fail(initial_from_model 2
  "^liqsim: .*cli_initial_from_bad\\.cfg:8: margin\\.initial_from\\.model must be"
  check ${LIQ_DATA}/cli_initial_from_bad.cfg)
liqsim_expect_fail(initial_from_lookback 2
  "^liqsim: .*cli_initial_from_short\\.cfg:11: margin\\.initial_from: the 200 bars of history before the start cannot hold a lookback of 8760 bars"
  check ${LIQ_DATA}/cli_initial_from_short.cfg)


# A window bound in Unix seconds (below 1e11 as ms: before 1973-03-03) is
# refused with the milliseconds and the date it would have meant.
liqsim_expect_fail(from_seconds_set 2
  "^liqsim: --set:1: price\\.from=1584000000: price.from = 1584000000 looks like Unix seconds.*write 1584000000000 \\(milliseconds\\) or the date \"2020-03-12 08:00:00\""
  check ${LIQ_DATA}/scenario_replay.cfg --set price.from=1584000000)
liqsim_expect_fail(to_seconds_set 2 "^liqsim: --set:1: price\\.to=1584057600: price.to = 1584057600 looks like Unix seconds"
  check ${LIQ_DATA}/scenario_replay.cfg --set price.to=1584057600)
liqsim_expect_fail(fit_from_seconds 2
  "^liqsim: fit: --from 1621382400 looks like Unix seconds.*1621382400000.*\"2021-05-19 00:00:00\""
  fit ${PROJECT_SOURCE_DIR}/scenarios/data/btc_usdt_1m_binance_spot_2021-05-19.csv
  --model gbm --from 1621382400)
liqsim_expect_fail(fit_to_seconds 2 "^liqsim: fit: --to 1621400000 looks like Unix seconds"
  fit ${PROJECT_SOURCE_DIR}/scenarios/data/btc_usdt_1m_binance_spot_2021-05-19.csv
  --model gbm --to 1621400000)
# Known keys the chosen model does not use are warnings (printed once,
# stored in runs.warnings), so --set impact.model=none runs on a scenario
# that names sqrt parameters; unknown keys stay errors.
add_test(NAME cli_ok_unused_key_warns COMMAND liqsim check
  ${PROJECT_SOURCE_DIR}/scenarios/default.cfg --set impact.model=none)
set_tests_properties(cli_ok_unused_key_warns PROPERTIES PASS_REGULAR_EXPRESSION
  "liqsim: warning: .*default\\.cfg:[0-9]+: impact\\.daily_volume is not used when model is none")
liqsim_expect_fail(unknown_key_still_errors 2 "^liqsim: --set:1: impact\\.daily_volumes=1: unknown key 'daily_volumes'"
  check ${PROJECT_SOURCE_DIR}/scenarios/default.cfg --set impact.daily_volumes=1)

# Calibrations (liqsim calibrate).  tests/test_calibrate.c checks the method
# (closed form, whole range / none, -j 1 vs -j 2 through the binary).
add_test(NAME cli_help_calibrate COMMAND liqsim calibrate --help)
set_tests_properties(cli_help_calibrate PROPERTIES
  PASS_REGULAR_EXPRESSION "usage: liqsim calibrate SCENARIO \\[--out DB\\] \\[-j N\\]")
# Fresh databases each time: an old file could hold an older schema.
add_test(NAME cli_ok_calibrate_clean COMMAND ${CMAKE_COMMAND} -E rm -f
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate.db
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate.db-wal
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate.db-shm
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate_none.db
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate_none.db-wal
  ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate_none.db-shm)
set_tests_properties(cli_ok_calibrate_clean PROPERTIES FIXTURES_SETUP cli_calibrate_db)
add_test(NAME cli_ok_calibrate COMMAND liqsim calibrate ${LIQ_DATA}/calibrate_small.cfg
  -j 2 --out ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate.db)
set_tests_properties(cli_ok_calibrate PROPERTIES PASS_REGULAR_EXPRESSION
  "margin.initial = 0\\.1[0-9]+ \\(95 % CI 0\\.1[0-9]+ to 0\\.1[0-9]+\\): liquidation_probability 0\\.[0-9]+ <= 0\\.1 \\(se 0\\.[0-9]+\\); [0-9]+ evaluations x 300 replicates")
add_test(NAME cli_ok_calibrate_none COMMAND liqsim calibrate ${LIQ_DATA}/calibrate_small.cfg
  --set calibrate.max=0 --set calibrate.replicates=50 --set price.volatility=5
  --out ${CMAKE_CURRENT_BINARY_DIR}/cli_ok_calibrate_none.db)
set_tests_properties(cli_ok_calibrate cli_ok_calibrate_none PROPERTIES
  FIXTURES_REQUIRED cli_calibrate_db)
set_tests_properties(cli_ok_calibrate_none PROPERTIES PASS_REGULAR_EXPRESSION
  "margin.initial: no value \\(none_meet\\): no value in the range meets liquidation_probability <= 0: [0-9.]+ at margin.initial = 0.02, [0-9.]+ at 0.5")
liqsim_expect_fail(calibrate_target 2
  "^liqsim: .*calibrate_bad_target\\.cfg:20: calibrate.target \"bad_debt\" is unknown"
  calibrate ${LIQ_DATA}/calibrate_bad_target.cfg)
liqsim_expect_fail(calibrate_range 2
  "^liqsim: .*calibrate_bad_range\\.cfg:20: calibrate.range \\[0.3, 0.3\\] is empty"
  calibrate ${LIQ_DATA}/calibrate_bad_range.cfg)
liqsim_expect_fail(calibrate_key 2
  "^liqsim: .*calibrate_bad_key\\.cfg:20: calibrate.key \"impact.model\" is not a numeric"
  calibrate ${LIQ_DATA}/calibrate_bad_key.cfg)
liqsim_expect_fail(calibrate_max 2
  "^liqsim: .*calibrate_bad_max\\.cfg:21: calibrate.max must be in \\[0, 1\\)"
  calibrate ${LIQ_DATA}/calibrate_bad_max.cfg)
liqsim_expect_fail(calibrate_no_section 2
  "^liqsim: .*cli_replay_ok\\.cfg: the scenario has no calibrate section"
  calibrate ${LIQ_DATA}/cli_replay_ok.cfg)
liqsim_expect_fail(calibrate_range_end 2
  "^liqsim: .*calibrate_small\\.cfg:20: calibrate: margin.initial = 0.02 \\(inside calibrate.range\\) is not a valid value"
  calibrate ${LIQ_DATA}/calibrate_small.cfg --set margin.maintenance=0.03)
liqsim_expect_fail(check_calibrate_range_end 2
  "^liqsim: .*calibrate_small\\.cfg:20: calibrate: margin.initial = 0.02 \\(inside calibrate.range\\)"
  check ${LIQ_DATA}/calibrate_small.cfg --set margin.maintenance=0.03)
if(TARGET test_calibrate)
  add_dependencies(test_calibrate liqsim)
endif()
