# The collector's storage (collector/storage/), on SQLite and on PostgreSQL:
# exactly-once batches, conflicts, quarantine, atomicity, BUSY, threads,
# surveys, kiosks, heartbeats, migrations, a server restart.
bk_add_test(test_collector_storage SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_storage.c
  ${CMAKE_SOURCE_DIR}/tests/test_store_util.c ${CMAKE_SOURCE_DIR}/tests/test_db_util.c
  LIBS bk_storage LABELS collector)
bk_on_postgresql(test_collector_storage)

# What the web interface keeps and reads (collector/storage/storage_dash.c
# and storage_pg_dash.c): the cohesion score, tallies, ideas, moderation,
# the login's lock, sessions and API keys, on both backends.
bk_add_test(test_collector_dash SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_dash.c
  ${CMAKE_SOURCE_DIR}/tests/test_store_util.c ${CMAKE_SOURCE_DIR}/tests/test_db_util.c
  LIBS bk_storage LABELS collector)
bk_on_postgresql(test_collector_dash)

# The dashboard's page text: HTML and URL escaping (collector/web/web_buf.c).
bk_add_test(test_web_buf SOURCES ${CMAKE_SOURCE_DIR}/tests/test_web_buf.c
  ${CMAKE_SOURCE_DIR}/collector/web/web_buf.c LABELS collector)
target_include_directories(test_web_buf PRIVATE ${CMAKE_SOURCE_DIR}/collector/web)
