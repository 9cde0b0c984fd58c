# harden.cmake: regressions of the hardening pass (issue 12), each a case of
# tests/harden.sh run against the built liqsim (included by
# tests/CMakeLists.txt).  Exit 77 is a skip (e.g. no mkfifo).
set(LIQ_HARDEN_CASES
  scenario_fifo scenario_dev_zero scenario_directory scenario_too_large
  libconfig_empty_string
  seed_range out_directory report_not_liqsim scenario_name_dots override_named
  price_overflow run_sigterm run_sigint run_full_disk
  merge_task_id_range merge_done_without_run merge_grid_outside
  merge_bad_sweeps_row merge_missing_table merge_keeps_old_output)
foreach(c ${LIQ_HARDEN_CASES})
  add_test(NAME harden_${c} COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/harden.sh
           $<TARGET_FILE:liqsim> ${PROJECT_SOURCE_DIR} ${c})
  set_tests_properties(harden_${c} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
