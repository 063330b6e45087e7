# Staff mode (issue 5): the PIN and its lockout, the exports (CSV, JSON
# Lines, checksums, `buurtkiosk export`), and replays of the real binary
# through every staff screen (tests/replays/staff-*.replay).
bk_add_test(test_pin SOURCES ${CMAKE_SOURCE_DIR}/tests/test_pin.c LABELS staff TIMEOUT 120)
add_dependencies(test_pin buurtkiosk)
bk_add_test(test_export SOURCES ${CMAKE_SOURCE_DIR}/tests/test_export.c
  ${CMAKE_SOURCE_DIR}/tests/test_staff_util.c LIBS PkgConfig::JANSSON LABELS staff TIMEOUT 120)
add_dependencies(test_export buurtkiosk)
bk_add_test(test_staff SOURCES ${CMAKE_SOURCE_DIR}/tests/test_staff.c
  ${CMAKE_SOURCE_DIR}/tests/test_staff_util.c ${CMAKE_SOURCE_DIR}/tests/test_ui_util.c
  LIBS bk_ui bk_test_sync_common PkgConfig::JANSSON LABELS "staff;ui" TIMEOUT 240)
add_dependencies(test_staff buurtkiosk)
