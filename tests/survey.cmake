# Survey definitions: loading, validation, catalogue, `buurtkiosk check`.
bk_add_test(test_survey SOURCES ${CMAKE_SOURCE_DIR}/tests/test_survey.c LABELS survey)
# test_cli_check runs the binary: build it with the test.
add_dependencies(test_survey buurtkiosk)
