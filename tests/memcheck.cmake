# Memory (issue 8): Valgrind memcheck of a full replay of the demo survey with
# the real binary, the sync worker uploading to the test receiver
# (tests/memcheck.sh, suppressions for third-party libraries in
# tests/valgrind.supp). Valgrind and ASan do not mix: no-asan.
add_test(NAME memcheck
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/memcheck.sh $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR})
set_tests_properties(memcheck PROPERTIES TIMEOUT 600 LABELS "memcheck;no-asan")
