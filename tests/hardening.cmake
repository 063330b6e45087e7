# Hardening (issue 8): power cuts of the whole app, a full disk and I/O
# errors, a damaged database, network and clock chaos, and the monkey.
# Sizes here fit ./test.sh; tests/long/run.sh runs the long versions
# (BK_* environment variables, see docs/reliability.md).
set(BK_CHAOS_UTIL ${CMAKE_SOURCE_DIR}/tests/test_chaos_util.c ${CMAKE_SOURCE_DIR}/tests/test_ui_util.c)

bk_add_test(test_corruption_ui SOURCES ${CMAKE_SOURCE_DIR}/tests/test_corruption_ui.c ${BK_CHAOS_UTIL}
  LIBS bk_ui PkgConfig::JANSSON PkgConfig::SQLITE3 LABELS "hardening;store;staff" TIMEOUT 240)
add_dependencies(test_corruption_ui buurtkiosk)

# The whole app killed with SIGKILL at random moments, with the sync worker
# uploading to the test receiver.
bk_add_test(test_powercut SOURCES ${CMAKE_SOURCE_DIR}/tests/test_powercut.c ${BK_CHAOS_UTIL}
  LIBS bk_ui bk_test_sync_common PkgConfig::JANSSON PkgConfig::SQLITE3 LABELS "hardening;store;sync" TIMEOUT 600)
add_dependencies(test_powercut buurtkiosk)

# A full disk (SQLite's page limit; a small tmpfs when the test may mount)
# and injected I/O errors (a failing VFS), with the app in-process.
bk_add_test(test_diskfull SOURCES ${CMAKE_SOURCE_DIR}/tests/test_diskfull.c ${BK_CHAOS_UTIL}
  LIBS bk_ui PkgConfig::JANSSON PkgConfig::SQLITE3 LABELS "hardening;store;ui" TIMEOUT 300)

# Network chaos: every fault kind at random through the real sync worker;
# exactly once, no request sooner than Retry-After.
bk_add_test(test_chaos_net SOURCES ${CMAKE_SOURCE_DIR}/tests/test_chaos_net.c ${BK_CHAOS_UTIL}
  LIBS bk_ui bk_test_sync_common PkgConfig::JANSSON LABELS "hardening;sync" TIMEOUT 600)

# The wall clock jumps to 1970 and years ahead: seq, ids, timers, flags,
# backoff and Retry-After unaffected (the app in-process, the real worker).
bk_add_test(test_clock_chaos SOURCES ${CMAKE_SOURCE_DIR}/tests/test_clock_chaos.c ${BK_CHAOS_UTIL}
  LIBS bk_ui bk_test_sync_common PkgConfig::JANSSON LABELS "hardening;sync;ui" TIMEOUT 180)

# The monkey: 100,000 random events across every screen (ASan + UBSan with
# leak checking in ./test.sh's second pass).
bk_add_test(test_monkey SOURCES ${CMAKE_SOURCE_DIR}/tests/test_monkey.c ${BK_CHAOS_UTIL}
  LIBS bk_ui PkgConfig::JANSSON PkgConfig::SQLITE3 LABELS "hardening;ui;staff;live" TIMEOUT 900)
