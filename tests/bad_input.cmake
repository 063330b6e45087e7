# Bad input everywhere (issue 8): broken surveys, configurations, downloaded
# bundles and server replies, each with its exact message and proof that
# nothing in use was replaced (tests/test_bad_input.c, inputs in
# tests/bad_input/).
bk_add_test(test_bad_input SOURCES ${CMAKE_SOURCE_DIR}/tests/test_bad_input.c
  LIBS bk_ui bk_sync PkgConfig::JANSSON LABELS hardening TIMEOUT 300)
target_include_directories(test_bad_input PRIVATE ${CMAKE_SOURCE_DIR}/sync)
add_dependencies(test_bad_input buurtkiosk)
# The table in docs/reliability.md is generated from the cases above by
# scripts/bad_input_table.py; this fails when the two have drifted apart.
add_test(NAME docs_bad_input_table
  COMMAND python3 ${CMAKE_SOURCE_DIR}/scripts/bad_input_table.py
    ${CMAKE_SOURCE_DIR}/tests/test_bad_input.c --check ${CMAKE_SOURCE_DIR}/docs/reliability.md)
set_tests_properties(docs_bad_input_table PROPERTIES LABELS "docs;no-asan")
