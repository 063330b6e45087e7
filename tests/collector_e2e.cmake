# The real kiosk against the real collector, both as programs
# (tests/test_collector_e2e.c): replays and seeded stores synced and
# exported exactly once, every status path (401, 403, 413 split, 422 set
# aside, 503 Retry-After), a USB import, and SIGKILL 100 times during
# uploads.
bk_add_test(test_collector_e2e SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_e2e.c
  ${CMAKE_SOURCE_DIR}/tests/test_collector_util.c ${CMAKE_SOURCE_DIR}/tests/test_db_util.c
  LIBS bk_test_sync_common bk_sync PkgConfig::LIBPQ LABELS collector TIMEOUT 600)
target_compile_definitions(test_collector_e2e PRIVATE
  BK_COLLECTOR="$<TARGET_FILE:buurtkiosk-collector>")
add_dependencies(test_collector_e2e buurtkiosk buurtkiosk-collector)
bk_on_postgresql(test_collector_e2e)
# The bad-input table (docs/collector.md, "Bad input"): 50-odd raw requests,
# each with its answer, and proof that nothing stored changed.
find_program(BK_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
add_test(NAME collector_bad_input COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/bad_input.py $<TARGET_FILE:buurtkiosk-collector>
  ${CMAKE_SOURCE_DIR})
set_tests_properties(collector_bad_input PROPERTIES LABELS collector TIMEOUT 300)
bk_on_postgresql(collector_bad_input COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/bad_input.py $<TARGET_FILE:buurtkiosk-collector>
  ${CMAKE_SOURCE_DIR})
# Several instances on one PostgreSQL database, and that database going
# away (tests/test_collector_instances.c): two instances, the same 200
# batches at once, 100 rounds; 503 while it is stopped; 20 restarts during
# the kiosk's uploads. PostgreSQL only: registered as test_collector_instances_pg.
bk_add_test(test_collector_instances SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_instances.c
  ${CMAKE_SOURCE_DIR}/tests/test_collector_util.c ${CMAKE_SOURCE_DIR}/tests/test_db_util.c
  LIBS bk_test_sync_common bk_sync PkgConfig::LIBPQ BUILD_ONLY)
target_compile_definitions(test_collector_instances PRIVATE
  BK_COLLECTOR="$<TARGET_FILE:buurtkiosk-collector>")
add_dependencies(test_collector_instances buurtkiosk buurtkiosk-collector)
bk_on_postgresql(test_collector_instances TIMEOUT 900)
# The accounts of the web interface from the command line
# (tests/collector/users.py): add, list, remove, every refusal, the
# password never in plain text, the audit log.
add_test(NAME collector_users COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/users.py $<TARGET_FILE:buurtkiosk-collector>)
set_tests_properties(collector_users PROPERTIES LABELS collector TIMEOUT 120)
bk_on_postgresql(collector_users COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/users.py $<TARGET_FILE:buurtkiosk-collector>)
# The wijkdashboard in a real browser (tests/collector/dashboard.py:
# Debian's chromium and chromium-driver, headless, through python3-selenium)
# against the real collector fed by a real kiosk's replay: login, charts,
# filters, hostile ideas, moderation, exports, 403s, CSRF, logout, the
# small-group rule, the lock, API keys, a refused upload. Screenshots in
# the build folder's screenshots/.
add_test(NAME collector_dashboard COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/dashboard.py $<TARGET_FILE:buurtkiosk-collector>
  $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/screenshots)
set_tests_properties(collector_dashboard PROPERTIES LABELS collector TIMEOUT 600
  ENVIRONMENT "BK_TEST_VIDEODRIVER=${BK_TEST_VIDEODRIVER}")
bk_on_postgresql(collector_dashboard COMMAND ${BK_SYSTEM_PYTHON3}
  ${CMAKE_SOURCE_DIR}/tests/collector/dashboard.py $<TARGET_FILE:buurtkiosk-collector>
  $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/screenshots-pg)
