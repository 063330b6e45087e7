# Staff mode (issue 5): the PIN and its lockout, the exports (CSV, JSON
# Lines, checksums, `buurtkiosk export`), and replays of the real binary
# through every staff screen (tests/replays/staff-*.replay).
bk_add_test(test_pin SOURCES ${CMAKE_SOURCE_DIR}/tests/test_pin.c LABELS staff TIMEOUT 120)
add_dependencies(test_pin buurtkiosk)
bk_add_test(test_export SOURCES ${CMAKE_SOURCE_DIR}/tests/test_export.c
  LIBS PkgConfig::JANSSON LABELS staff TIMEOUT 120)
add_dependencies(test_export buurtkiosk)
