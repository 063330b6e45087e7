# The collector's storage (collector/storage/), on SQLite and on PostgreSQL:
# exactly-once batches, conflicts, quarantine, atomicity, BUSY, threads,
# surveys, kiosks, heartbeats, migrations, a server restart.
bk_add_test(test_collector_storage SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_storage.c
  ${CMAKE_SOURCE_DIR}/tests/test_store_util.c ${CMAKE_SOURCE_DIR}/tests/test_db_util.c
  LIBS bk_storage LABELS collector)
bk_on_postgresql(test_collector_storage)
