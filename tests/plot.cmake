# plot.cmake: tests of scripts/plot.py and scripts/analysis.sql (included by
# tests/CMakeLists.txt).  The same file, run as `cmake -P plot.cmake` with
# -DMODE=..., is the driver those tests call: ctest alone cannot check a
# file's bytes or an exit code together with a message.
#
#   plot_db            (fixture) a small run of scenarios/default.cfg into a
#                      fresh <build>/tests/plot-test.db
#   plot_sweep_db      (fixture) a tiny copy of scenarios/sweep-margins.cfg
#                      (27 points x 2 replicates of 300 positions, 6 hours)
#   plot_run           plot.py DB --run 1 writes <build>/tests/plot-test-run1.png
#                      (its default name), a real PNG of some size
#   plot_run_log       the same with --log and --out
#   plot_sweep         plot.py DB --sweep draws the sweep's aggregates
#   plot_err_*         exit 2 and "plot.py: ..." for a missing run, a missing
#                      database and a database without sweeps
#   plot_analysis_*    scripts/analysis.sql runs cleanly in the sqlite3 shell
#   plot_sweep_inf     --sweep on a sweep with half_life_seconds = "inf" on
#                      an axis: no point dropped (no "should be finite values")
#   plot_compare_positions  --compare draws the haircut by leverage only with
#                      the runs' books stored (not for sweep tasks)
#
# matplotlib missing is a failure, not a skip: scripts/deps.sh installs
# python3-matplotlib (CI runs it first).

if(CMAKE_SCRIPT_MODE_FILE)
  # ------------------------------------------------------------ driver
  # Lists arrive '|'-separated (a ';' would split the ctest command line).
  string(REPLACE "|" ";" ARGS "${ARGS}")

  if(MODE STREQUAL "rundb" OR MODE STREQUAL "sweepdb")
    file(REMOVE "${DB}" "${DB}-wal" "${DB}-shm" "${DB}-journal")
    if(MODE STREQUAL "sweepdb")
      # A tiny copy of the shipped sweep: same grid, fewer replicates,
      # positions and steps, so the test takes seconds even under ASan.
      file(READ "${SCENARIO}" text)
      set(orig "${text}")
      string(REGEX REPLACE "replicates = [0-9]+;" "replicates = 2;" text "${text}")
      string(REGEX REPLACE "positions *= *[0-9]+;" "positions = 300;" text "${text}")
      string(REGEX REPLACE "\nsteps *= *[0-9]+;" "\nsteps = 360;" text "${text}")
      if(text STREQUAL orig)
        message(FATAL_ERROR "${SCENARIO}: could not shrink it (replicates/positions/steps not found)")
      endif()
      file(WRITE "${CFG}" "${text}")
      set(cmd "${LIQSIM}" sweep "${CFG}" --out "${DB}" -j 2 --quiet)
    else()
      set(cmd "${LIQSIM}" run "${SCENARIO}" --out "${DB}" --quiet ${ARGS})
    endif()
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${cmd}: exit ${rc}\n${err}")
    endif()
    message(STATUS "wrote ${DB}")

  elseif(MODE STREQUAL "png")
    # plot.py DB ARGS must exit 0, print PNG, and PNG must be a real image.
    file(REMOVE "${PNG}")
    execute_process(COMMAND "${PYTHON}" "${PLOT}" "${DB}" ${ARGS}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "plot.py ${DB} ${ARGS}: exit ${rc}\n${err}")
    endif()
    # (not "stderr empty": matplotlib's first run says it builds its font cache)
    if(DEFINED STDERR_FORBID AND err MATCHES "${STDERR_FORBID}")
      message(FATAL_ERROR "plot.py ${DB} ${ARGS}: stderr matches /${STDERR_FORBID}/:\n${err}")
    endif()
    if(NOT out STREQUAL PNG)
      message(FATAL_ERROR "plot.py printed '${out}', expected '${PNG}'")
    endif()
    if(NOT EXISTS "${PNG}")
      message(FATAL_ERROR "${PNG}: not written")
    endif()
    file(READ "${PNG}" sig LIMIT 8 HEX)
    if(NOT sig STREQUAL "89504e470d0a1a0a")
      message(FATAL_ERROR "${PNG}: no PNG signature (starts ${sig})")
    endif()
    file(SIZE "${PNG}" size)
    if(size LESS MIN_BYTES)
      message(FATAL_ERROR "${PNG}: ${size} bytes, expected at least ${MIN_BYTES}")
    endif()
    message(STATUS "ok: ${PNG} (${size} bytes)")

  elseif(MODE STREQUAL "fail")
    # plot.py DB ARGS must exit CODE with a stderr line matching REGEX.
    execute_process(COMMAND "${PYTHON}" "${PLOT}" "${DB}" ${ARGS}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    message(STATUS "stderr: ${err}")
    if(NOT rc STREQUAL CODE)
      message(FATAL_ERROR "plot.py ${DB} ${ARGS}: exit ${rc}, expected ${CODE}")
    endif()
    if(NOT err MATCHES "${REGEX}")
      message(FATAL_ERROR "stderr does not match /${REGEX}/")
    endif()
    if(NOT out STREQUAL "")
      message(FATAL_ERROR "unexpected stdout: ${out}")
    endif()

  elseif(MODE STREQUAL "sql")
    # sqlite3 DB < analysis.sql: exit 0, nothing on stderr, the sections printed.
    execute_process(COMMAND "${SQLITE3}" "${DB}" INPUT_FILE "${SQL}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
      message(FATAL_ERROR "sqlite3 ${DB} < ${SQL}: exit ${rc}\n${err}")
    endif()
    foreach(want ${ARGS})
      if(NOT out MATCHES "${want}")
        message(FATAL_ERROR "output lacks /${want}/:\n${out}")
      endif()
    endforeach()
    message(STATUS "ok")

  else()
    message(FATAL_ERROR "plot.cmake: unknown MODE '${MODE}'")
  endif()
  return()
endif()

# -------------------------------------------------------------- the tests
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(LIQ_PYTHON ${Python3_EXECUTABLE})
else()
  # Let the tests fail with "not found" rather than vanish.
  message(WARNING "python3 not found: the plot_* tests will fail (run scripts/deps.sh)")
  set(LIQ_PYTHON python3)
endif()
find_program(LIQ_SQLITE3 sqlite3)
if(NOT LIQ_SQLITE3)
  set(LIQ_SQLITE3 sqlite3)
endif()

set(LIQ_PLOT_DRIVER ${CMAKE_COMMAND} -DPYTHON=${LIQ_PYTHON}
    -DPLOT=${PROJECT_SOURCE_DIR}/scripts/plot.py)
set(LIQ_PLOT_SELF -P ${CMAKE_CURRENT_LIST_FILE})
set(LIQ_PLOT_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test.db)
set(LIQ_PLOT_SWEEP_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep.db)

add_test(NAME plot_db COMMAND ${CMAKE_COMMAND} -DMODE=rundb
  -DLIQSIM=$<TARGET_FILE:liqsim> -DSCENARIO=${PROJECT_SOURCE_DIR}/scenarios/default.cfg
  -DDB=${LIQ_PLOT_DB} "-DARGS=--set|book.positions=2000" ${LIQ_PLOT_SELF})
set_tests_properties(plot_db PROPERTIES FIXTURES_SETUP liq_plot_run)

add_test(NAME plot_sweep_db COMMAND ${CMAKE_COMMAND} -DMODE=sweepdb
  -DLIQSIM=$<TARGET_FILE:liqsim> -DSCENARIO=${PROJECT_SOURCE_DIR}/scenarios/sweep-margins.cfg
  -DCFG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep.cfg -DDB=${LIQ_PLOT_SWEEP_DB}
  ${LIQ_PLOT_SELF})
set_tests_properties(plot_sweep_db PROPERTIES FIXTURES_SETUP liq_plot_sweep)

# The default output name: next to the database, <stem>-run<ID>.png.
add_test(NAME plot_run COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_DB}
  "-DARGS=--run|1" -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-run1.png
  -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
add_test(NAME plot_run_log COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_DB}
  "-DARGS=--log|--out|${CMAKE_CURRENT_BINARY_DIR}/plot-test-log.png"
  -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-log.png -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
add_test(NAME plot_sweep COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_SWEEP_DB}
  "-DARGS=--sweep" -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-sweep1.png
  -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})

add_test(NAME plot_err_no_run COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail -DDB=${LIQ_PLOT_DB}
  "-DARGS=--run|99" -DCODE=2 "-DREGEX=^plot.py: .*plot-test.db: no run 99"
  ${LIQ_PLOT_SELF})
add_test(NAME plot_err_no_sweep COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail -DDB=${LIQ_PLOT_DB}
  "-DARGS=--sweep" -DCODE=2 "-DREGEX=^plot.py: .*: no sweeps in this database"
  ${LIQ_PLOT_SELF})
add_test(NAME plot_err_no_db COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail
  -DDB=${CMAKE_CURRENT_BINARY_DIR}/plot-test-missing.db -DCODE=2
  "-DREGEX=^plot.py: .*plot-test-missing.db: no such file" ${LIQ_PLOT_SELF})
set_tests_properties(plot_run plot_run_log plot_err_no_run plot_err_no_sweep
  PROPERTIES FIXTURES_REQUIRED liq_plot_run)
set_tests_properties(plot_sweep PROPERTIES FIXTURES_REQUIRED liq_plot_sweep)

add_test(NAME plot_analysis_run COMMAND ${CMAKE_COMMAND} -DMODE=sql -DSQLITE3=${LIQ_SQLITE3}
  -DDB=${LIQ_PLOT_DB} -DSQL=${PROJECT_SOURCE_DIR}/scripts/analysis.sql
  "-DARGS=== 1\\.|== 6\\.|== 7b\\.|leverage_bucket" ${LIQ_PLOT_SELF})
add_test(NAME plot_analysis_sweep COMMAND ${CMAKE_COMMAND} -DMODE=sql -DSQLITE3=${LIQ_SQLITE3}
  -DDB=${LIQ_PLOT_SWEEP_DB} -DSQL=${PROJECT_SOURCE_DIR}/scripts/analysis.sql
  "-DARGS=== 5\\.|bad_debt_mean|margin.initial" ${LIQ_PLOT_SELF})
set_tests_properties(plot_analysis_run PROPERTIES FIXTURES_REQUIRED liq_plot_run)
set_tests_properties(plot_analysis_sweep PROPERTIES FIXTURES_REQUIRED liq_plot_sweep)

# plot.py DB --backtest: a small backtest of tests/data/bt_prices.csv.
set(LIQ_PLOT_BT_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test-backtest.db)
add_test(NAME plot_backtest_db_clean COMMAND ${CMAKE_COMMAND} -E rm -f ${LIQ_PLOT_BT_DB}
  ${LIQ_PLOT_BT_DB}-wal ${LIQ_PLOT_BT_DB}-shm)
add_test(NAME plot_backtest_db COMMAND liqsim backtest ${CMAKE_CURRENT_SOURCE_DIR}/data/bt_prices.csv
  --model ewma --horizon-bars 2 --lookback-bars 24 --apc buffer --quiet --out ${LIQ_PLOT_BT_DB})
set_tests_properties(plot_backtest_db_clean PROPERTIES FIXTURES_SETUP liq_plot_bt)
set_tests_properties(plot_backtest_db PROPERTIES FIXTURES_SETUP liq_plot_bt
  DEPENDS plot_backtest_db_clean)
add_test(NAME plot_backtest COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_BT_DB}
  "-DARGS=--backtest" -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-backtest-backtest1.png
  -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
add_test(NAME plot_err_no_backtest COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail -DDB=${LIQ_PLOT_BT_DB}
  "-DARGS=--backtest|9" -DCODE=2 "-DREGEX=^plot.py: .*plot-test-backtest.db: no backtest 9"
  ${LIQ_PLOT_SELF})
add_test(NAME plot_err_no_backtests COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail -DDB=${LIQ_PLOT_DB}
  "-DARGS=--backtest" -DCODE=2 "-DREGEX=^plot.py: .*plot-test.db: no backtests in this database"
  ${LIQ_PLOT_SELF})
set_tests_properties(plot_backtest plot_err_no_backtest PROPERTIES FIXTURES_REQUIRED liq_plot_bt)
set_tests_properties(plot_err_no_backtests PROPERTIES FIXTURES_REQUIRED liq_plot_run)

# --compare (insurance policies), the sweep plot with --log, and analysis.sql
# section 8 on the plain run database (no ADL: the comparison still draws).
add_test(NAME plot_compare COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_DB}
  "-DARGS=--compare|1|--out|${CMAKE_CURRENT_BINARY_DIR}/plot-test-compare.png"
  -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-compare.png -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
add_test(NAME plot_err_compare_no_run COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail
  -DDB=${LIQ_PLOT_DB} "-DARGS=--compare|1|42" -DCODE=2
  "-DREGEX=^plot.py: .*plot-test.db: no run 42" ${LIQ_PLOT_SELF})
add_test(NAME plot_sweep_log COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_SWEEP_DB}
  "-DARGS=--sweep|--log|--out|${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-log.png"
  -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-log.png -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
set_tests_properties(plot_compare plot_err_compare_no_run PROPERTIES FIXTURES_REQUIRED liq_plot_run)
set_tests_properties(plot_sweep_log PROPERTIES FIXTURES_REQUIRED liq_plot_sweep)
add_test(NAME plot_analysis_policies COMMAND ${CMAKE_COMMAND} -DMODE=sql
  -DSQLITE3=${LIQ_SQLITE3} -DDB=${LIQ_PLOT_DB}
  -DSQL=${PROJECT_SOURCE_DIR}/scripts/analysis.sql
  "-DARGS=== 8a\\.|paid_by_traders|== 8c\\." ${LIQ_PLOT_SELF})
set_tests_properties(plot_analysis_policies PROPERTIES FIXTURES_REQUIRED liq_plot_run)
# scripts/analysis-positions.sql (who paid, by leverage and by PnL) on a
# small ADL run that stores its book: the joins to positions return rows.
set(LIQ_PLOT_ADL_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test-adl.db)
add_test(NAME plot_adl_db COMMAND ${CMAKE_COMMAND} -DMODE=rundb
  -DLIQSIM=$<TARGET_FILE:liqsim> -DSCENARIO=${PROJECT_SOURCE_DIR}/scenarios/adl.cfg
  -DDB=${LIQ_PLOT_ADL_DB} "-DARGS=--set|book.positions=10000|--set|insurance.fund=1e4"
  ${LIQ_PLOT_SELF})
set_tests_properties(plot_adl_db PROPERTIES FIXTURES_SETUP liq_plot_adl)
add_test(NAME plot_analysis_positions COMMAND ${CMAKE_COMMAND} -DMODE=sql
  -DSQLITE3=${LIQ_SQLITE3} -DDB=${LIQ_PLOT_ADL_DB}
  -DSQL=${PROJECT_SOURCE_DIR}/scripts/analysis-positions.sql
  "-DARGS=who paid, by leverage|1 +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+|1 +[1-5] [a-z]+ [0-9a-z]" ${LIQ_PLOT_SELF})
set_tests_properties(plot_analysis_positions PROPERTIES FIXTURES_REQUIRED liq_plot_adl)
# Tick labels print exactly: 0.25M steps give 0.25M, 0.50M, 0.75M (not the
# rounded 0.2M, 0.5M, 0.8M); 50.25M and 50.75M keep their second decimal.
add_test(NAME plot_tick_decimals COMMAND ${LIQ_PYTHON} -c
  "import sys; sys.path.insert(0, '${PROJECT_SOURCE_DIR}/scripts'); import plot; assert plot.tick_decimals([0, 2.5e5, 5e5, 7.5e5], 1e6) == 2; assert plot.tick_decimals([50.25e6, 50.5e6, 50.75e6], 1e6) == 2; assert plot.tick_decimals([1e6, 2e6], 1e6) == 0; assert plot.money_tick(5e5) == '500k'; assert plot.money_tick(2.5e6) == '2.5M'")
# A calibration (tests/data/calibrate_small.cfg) drawn with --calibration.
# --compare draws the ADL haircut by leverage only when the compared runs'
# books are stored: a run's are, a sweep's tasks' are not (the positions
# table exists in every database), and then it draws it by size.
add_test(NAME plot_compare_positions COMMAND ${LIQ_PYTHON} -c
  "import sys, sqlite3; sys.path.insert(0, '${PROJECT_SOURCE_DIR}/scripts'); import plot; run = sqlite3.connect('${LIQ_PLOT_DB}'); sw = sqlite3.connect('${LIQ_PLOT_SWEEP_DB}'); tr = {'positions'}; assert plot.positions_stored(run, tr, [1]); assert not plot.positions_stored(sw, tr, [1, 2]); assert not plot.positions_stored(run, set(), [1])")
set_tests_properties(plot_compare_positions PROPERTIES
  FIXTURES_REQUIRED "liq_plot_run;liq_plot_sweep")
# A sweep with impact.half_life_seconds = "inf" on an axis: the Inf points
# are drawn too (as ticks by value order), not dropped with matplotlib's
# "posx and posy should be finite values" on stderr.
set(LIQ_PLOT_INF_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-inf.db)
add_test(NAME plot_sweep_inf_db COMMAND sh -c
  "rm -f '${LIQ_PLOT_INF_DB}' '${LIQ_PLOT_INF_DB}-wal' '${LIQ_PLOT_INF_DB}-shm' && '$<TARGET_FILE:liqsim>' sweep '${CMAKE_CURRENT_SOURCE_DIR}/data/plot_sweep_inf.cfg' --quiet -j 2 --out '${LIQ_PLOT_INF_DB}'")
set_tests_properties(plot_sweep_inf_db PROPERTIES FIXTURES_SETUP liq_plot_inf)
add_test(NAME plot_sweep_inf COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_INF_DB}
  "-DARGS=--sweep|--out|${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-inf.png" "-DSTDERR_FORBID=finite"
  -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-sweep-inf.png -DMIN_BYTES=30000 ${LIQ_PLOT_SELF})
# liqsim report names the point "impact.half_life_seconds=inf", as --set
# takes it (SQLite's text of the stored Inf is "Inf", which --set refuses).
add_test(NAME report_sweep_inf COMMAND liqsim report ${LIQ_PLOT_INF_DB})
set_tests_properties(report_sweep_inf PROPERTIES
  PASS_REGULAR_EXPRESSION "impact.half_life_seconds=inf  margin.initial=0.02\n"
  FAIL_REGULAR_EXPRESSION "=Inf")
set_tests_properties(plot_sweep_inf report_sweep_inf PROPERTIES FIXTURES_REQUIRED liq_plot_inf)
set(LIQ_PLOT_CAL_DB ${CMAKE_CURRENT_BINARY_DIR}/plot-test-cal.db)
add_test(NAME plot_calibration_db COMMAND sh -c
  "rm -f '${LIQ_PLOT_CAL_DB}' '${LIQ_PLOT_CAL_DB}-wal' '${LIQ_PLOT_CAL_DB}-shm' && '$<TARGET_FILE:liqsim>' calibrate '${PROJECT_SOURCE_DIR}/tests/data/calibrate_small.cfg' --quiet -j 2 --out '${LIQ_PLOT_CAL_DB}'")
set_tests_properties(plot_calibration_db PROPERTIES FIXTURES_SETUP liq_plot_cal)
add_test(NAME plot_calibration COMMAND ${LIQ_PLOT_DRIVER} -DMODE=png -DDB=${LIQ_PLOT_CAL_DB}
  "-DARGS=--calibration" -DPNG=${CMAKE_CURRENT_BINARY_DIR}/plot-test-cal-calibration1.png
  -DMIN_BYTES=20000 ${LIQ_PLOT_SELF})
add_test(NAME plot_err_no_calibration COMMAND ${LIQ_PLOT_DRIVER} -DMODE=fail -DDB=${LIQ_PLOT_CAL_DB}
  "-DARGS=--calibration|7" -DCODE=2 "-DREGEX=^plot.py: .*: no calibration 7 \\(calibrations: 1\\)"
  ${LIQ_PLOT_SELF})
set_tests_properties(plot_calibration plot_err_no_calibration PROPERTIES FIXTURES_REQUIRED liq_plot_cal)
