# The UI keeps working while an upload hangs (issue 4).
add_test(NAME ui_sync_hang
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/ui_sync_hang.sh $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR})
set_tests_properties(ui_sync_hang PROPERTIES TIMEOUT 120 LABELS "sync;ui"
  ENVIRONMENT "SDL_VIDEODRIVER=${BK_TEST_VIDEODRIVER};SDL_AUDIODRIVER=dummy")

# A relative token_file is resolved against the configuration's folder, once.
add_test(NAME sync_relative_token
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/sync_relative_token.sh $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR})
set_tests_properties(sync_relative_token PROPERTIES TIMEOUT 60 LABELS "sync")
