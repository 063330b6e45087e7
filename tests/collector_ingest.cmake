# The collector's ingest module (collector/ingest/): RFC 3339 time stamps,
# gzip within a limit (the test wraps malloc to prove a bomb never asks
# for more than the limit), the batch parser's rules and messages, and the
# check of a response against its survey definition.
bk_add_test(test_ingest SOURCES ${CMAKE_SOURCE_DIR}/tests/test_ingest.c
  ${CMAKE_SOURCE_DIR}/tests/test_store_util.c LIBS bk_ingest bk_core LABELS collector)
target_link_options(test_ingest PRIVATE -Wl,--wrap=malloc -Wl,--wrap=realloc)
