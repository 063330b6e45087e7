# Memory soak (issue 8, tests/test_soak.c): a resident every virtual minute
# and a sync every 5 minutes; RSS and open descriptors at the end as after
# the first virtual hour. Under ASan it checks descriptors, exactly-once and
# leaks (RSS is not judged there).
#
# test_soak: 2 virtual days, headless, so the hourly purge of delivered
#   responses past retention_days (1 here) runs (tests/long/run.sh: 7 days).
# test_soak_render: 2 virtual hours drawing every frame with SDL (the long
#   run: 7 days); judges the heap in use (2 MiB) and RSS (16 MiB: Mesa's
#   memory outside the heap settles later). Under SDL's offscreen driver
#   Mesa kept every frame's work until the kiosk finished each frame after
#   presenting; this catches it coming back.
#   The sanitizer build draws with the dummy driver (Mesa leaks at exit).
bk_add_test(test_soak SOURCES ${CMAKE_SOURCE_DIR}/tests/test_soak.c
  LIBS bk_ui bk_sync PkgConfig::JANSSON PkgConfig::ZLIB PkgConfig::SQLITE3
  LABELS "soak" TIMEOUT 1800)
target_include_directories(test_soak PRIVATE ${CMAKE_SOURCE_DIR}/sync)
add_test(NAME test_soak_render COMMAND test_soak WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
if(BK_SANITIZE)
  set(bk_soak_driver dummy)
else()
  set(bk_soak_driver offscreen)
endif()
set_tests_properties(test_soak_render PROPERTIES LABELS "soak" TIMEOUT 900 ENVIRONMENT
  "SDL_VIDEODRIVER=${bk_soak_driver};SDL_AUDIODRIVER=dummy;BK_SOAK_RENDER=1;BK_SOAK_MINUTES=120")
