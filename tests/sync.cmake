# Sync module tests: unit tests with a fake transport and a virtual clock,
# and integration tests against tests/receiver/receiver.py over loopback.
add_library(bk_test_sync_common STATIC ${CMAKE_SOURCE_DIR}/tests/test_sync_common.c)
target_link_libraries(bk_test_sync_common PUBLIC bk_sync bk_core PkgConfig::CMOCKA
  PkgConfig::JANSSON PkgConfig::SQLITE3)
target_include_directories(bk_test_sync_common PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_compile_definitions(bk_test_sync_common PRIVATE BK_TEST_DATA="${BK_TEST_DATA}"
  BK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

bk_add_test(test_sync_receiver SOURCES ${CMAKE_SOURCE_DIR}/tests/test_sync_receiver.c
  LIBS bk_test_sync_common bk_sync LABELS sync TIMEOUT 180)

bk_add_test(test_sync_unit SOURCES ${CMAKE_SOURCE_DIR}/tests/test_sync_unit.c
  LIBS bk_test_sync_common bk_sync LABELS sync TIMEOUT 60)
bk_add_test(test_sync_tls SOURCES ${CMAKE_SOURCE_DIR}/tests/test_sync_tls.c
  LIBS bk_test_sync_common bk_sync LABELS sync TIMEOUT 120)
bk_add_test(test_sync_worker SOURCES ${CMAKE_SOURCE_DIR}/tests/test_sync_worker.c
  LIBS bk_test_sync_common bk_sync LABELS sync TIMEOUT 120)
# test_sync_cli runs `buurtkiosk sync`: build the binary with the test.
bk_add_test(test_sync_cli SOURCES ${CMAKE_SOURCE_DIR}/tests/test_sync_cli.c
  LIBS bk_test_sync_common bk_sync LABELS sync TIMEOUT 240)
add_dependencies(test_sync_cli buurtkiosk)
