# Runs `store_bench --quick` (cmake -P, STORE_BENCH = the executable). Fails unless it
# exits 0 and its last output line is one JSON object carrying the benchmark's figures.
execute_process(COMMAND "${STORE_BENCH}" --quick
  RESULT_VARIABLE exit_code OUTPUT_VARIABLE output ERROR_VARIABLE errors)
message("${output}")
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "store_bench --quick exited with '${exit_code}': ${errors}")
endif()
string(STRIP "${output}" output)
string(FIND "${output}" "\n" last_newline REVERSE)
math(EXPR last_line_start "${last_newline} + 1")
string(SUBSTRING "${output}" ${last_line_start} -1 last_line)
string(JSON kind ERROR_VARIABLE json_error TYPE "${last_line}")
if(json_error OR NOT kind STREQUAL "OBJECT")
  message(FATAL_ERROR "last line of store_bench output is not a JSON object: ${last_line}")
endif()
foreach(key append_sync_b1_per_s raw_sync_b1_per_s ratio_sync_b1 append_sync_b100_per_s
            append_async_b1_per_s read_all_per_s raw_scan_per_s replay_per_s decode_only_per_s)
  string(JSON value ERROR_VARIABLE json_error GET "${last_line}" ${key})
  if(json_error)
    message(FATAL_ERROR "store_bench JSON line lacks '${key}': ${last_line}")
  endif()
endforeach()
