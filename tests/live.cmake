# Live mode: the results counting (pure C), and the kiosk in live mode:
# replays of the real binary casting votes on every question type with the
# counts checked on the results screen and by `buurtkiosk results`, quick
# repeats kept apart, a restart in the middle; in-process: hiding answers
# and words, the presenter window and the presenter layout at 1080p and 4K.
bk_add_test(test_results SOURCES ${CMAKE_SOURCE_DIR}/tests/test_results.c LABELS live TIMEOUT 60)
foreach(t replay app)
  bk_add_test(test_live_${t} SOURCES ${CMAKE_SOURCE_DIR}/tests/test_live_${t}.c
    ${CMAKE_SOURCE_DIR}/tests/test_ui_util.c LIBS bk_ui PkgConfig::JANSSON LABELS live ui
    TIMEOUT 120)
  add_dependencies(test_live_${t} buurtkiosk)
endforeach()
