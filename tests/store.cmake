# The local SQLite store: response life, batches, migrations, recovery from
# damage and a full disk, and a crash test that kills a writer 200 times.
set(BK_STORE_TEST_UTIL ${CMAKE_SOURCE_DIR}/tests/test_store_util.c)
bk_add_test(test_store SOURCES ${CMAKE_SOURCE_DIR}/tests/test_store.c ${BK_STORE_TEST_UTIL}
  LIBS PkgConfig::SQLITE3 LABELS store)
bk_add_test(test_store_batch SOURCES ${CMAKE_SOURCE_DIR}/tests/test_store_batch.c
  ${BK_STORE_TEST_UTIL} LIBS PkgConfig::SQLITE3 PkgConfig::JANSSON LABELS store)
bk_add_test(test_store_recovery SOURCES ${CMAKE_SOURCE_DIR}/tests/test_store_recovery.c
  ${BK_STORE_TEST_UTIL} LIBS PkgConfig::SQLITE3 LABELS store)
# The crash test forks and execs this writer, then kills it with SIGKILL.
add_executable(store_crash_child ${CMAKE_SOURCE_DIR}/tests/store_crash_child.c)
target_link_libraries(store_crash_child PRIVATE bk_core)
bk_add_test(test_store_crash SOURCES ${CMAKE_SOURCE_DIR}/tests/test_store_crash.c
  ${BK_STORE_TEST_UTIL} LIBS PkgConfig::SQLITE3 LABELS store TIMEOUT 180)
target_compile_definitions(test_store_crash PRIVATE
  STORE_CRASH_CHILD="$<TARGET_FILE:store_crash_child>")
add_dependencies(test_store_crash store_crash_child)
