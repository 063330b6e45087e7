# Packaging and the systemd service (issue 9): tests/package/.
find_program(BK_PYTHON3 python3 REQUIRED)
find_program(BK_BASH bash REQUIRED)

# The watchdog contract with the real binary: READY=1, WATCHDOG=1 from the
# main loop, silence when the loop hangs (SIGSTOP). Runs in both builds.
add_test(NAME package_watchdog
  COMMAND ${BK_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/package/watchdog.py
    $<TARGET_FILE:buurtkiosk> ${CMAKE_SOURCE_DIR})
set_tests_properties(package_watchdog PROPERTIES LABELS package TIMEOUT 120
  ENVIRONMENT "SDL_VIDEODRIVER=offscreen;SDL_AUDIODRIVER=dummy")

# The .deb built from this tree: contents, control fields, maintainer
# scripts, lintian, systemd-analyze verify, reproducibility, and an install
# into a throwaway root. Once, from the normal build: a package is never
# built with the sanitizers.
add_test(NAME package_deb
  COMMAND ${BK_BASH} ${CMAKE_SOURCE_DIR}/tests/package/test_package.sh
    ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${PROJECT_VERSION} ${BK_PACKAGE_RELEASE})
set_tests_properties(package_deb PROPERTIES LABELS "package;no-asan" TIMEOUT 300
  ENVIRONMENT "SDL_VIDEODRIVER=offscreen;SDL_AUDIODRIVER=dummy")

# The collector's own .deb, buurtkiosk-collector, built the same way
# (CPackCollectorConfig.cmake): contents, control fields, maintainer
# scripts, lintian, systemd-analyze verify, reproducibility, the manual page
# against --help, the shipped binary serving with the shipped configuration,
# and an install into a throwaway root, alone and beside the kiosk's
# package. Once, from the normal build, as package_deb.
add_test(NAME package_deb_collector
  COMMAND ${BK_BASH} ${CMAKE_SOURCE_DIR}/tests/package/test_package_collector.sh
    ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${PROJECT_VERSION} ${BK_PACKAGE_RELEASE})
set_tests_properties(package_deb_collector PROPERTIES LABELS "package;no-asan" TIMEOUT 300)
