# The INI configuration: kiosk/core/config.c.
bk_add_test(test_config SOURCES ${CMAKE_SOURCE_DIR}/tests/test_config.c LABELS config)
