# The collector's storage, SQLite backend (collector/storage/): exactly-once
# batches, conflicts, quarantine, atomicity, BUSY, threads, surveys, kiosks,
# heartbeats, migrations.
bk_add_test(test_collector_storage SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_storage.c
  ${CMAKE_SOURCE_DIR}/tests/test_store_util.c LIBS bk_storage LABELS collector)
