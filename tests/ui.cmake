# The resident UI: replays of the real binary with every stored answer
# checked, layout of every screen at three sizes, colour contrast, Turkish
# and Arabic rendering, Arabic screens mirrored, and screenshots checked by
# pixel regions.
set(BK_UI_TEST_UTIL ${CMAKE_SOURCE_DIR}/tests/test_ui_util.c)
foreach(t replay flags layout contrast render pixels mirror)
  bk_add_test(test_ui_${t} SOURCES ${CMAKE_SOURCE_DIR}/tests/test_ui_${t}.c ${BK_UI_TEST_UTIL}
    LIBS bk_ui PkgConfig::JANSSON LABELS ui TIMEOUT 240)
  add_dependencies(test_ui_${t} buurtkiosk)
endforeach()

# The on-screen keyboards (nl/en QWERTY, Turkish Q, Arabic) without a screen.
bk_add_test(test_text_entry SOURCES ${CMAKE_SOURCE_DIR}/tests/test_text_entry.c
  LIBS bk_ui LABELS ui)
