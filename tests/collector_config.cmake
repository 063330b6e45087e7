# The collector's INI configuration: collector/collector_config.c (also
# compiled into buurtkiosk-collector by the glob collector/*.c).
bk_add_test(test_collector_config
  SOURCES ${CMAKE_SOURCE_DIR}/tests/test_collector_config.c
          ${CMAKE_SOURCE_DIR}/collector/collector_config.c
  LIBS bk_storage LABELS collector)
target_include_directories(test_collector_config PRIVATE ${CMAKE_SOURCE_DIR}/collector)
