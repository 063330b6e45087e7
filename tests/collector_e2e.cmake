# The real kiosk against the real collector, both as programs
# (tests/test_collector_e2e.c): replays and seeded stores synced and
# exported exactly once, every status path (401, 403, 413 split, 422 set
# aside, 503 Retry-After), a USB import, and SIGKILL 100 times during
# uploads.
bk_add_test(test_collector_e2e SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_e2e.c
  LIBS bk_test_sync_common bk_sync LABELS collector TIMEOUT 600)
target_compile_definitions(test_collector_e2e PRIVATE
  BK_COLLECTOR="$<TARGET_FILE:buurtkiosk-collector>")
add_dependencies(test_collector_e2e buurtkiosk buurtkiosk-collector)
