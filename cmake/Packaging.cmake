# Packaging.cmake: `cmake --install` and `cpack -G DEB` for Buurtkiosk as a
# Debian appliance. Included once from the top-level CMakeLists.txt.
#
# Installed layout of the kiosk's package (prefix /usr, the default here;
# every install() here is COMPONENT kiosk, see PackagingCollector.cmake for
# the collector's):
#   /usr/bin/buurtkiosk
#   /usr/share/buurtkiosk/assets/fonts/   bundled Noto fonts (app_find_fonts)
#   /usr/share/buurtkiosk/surveys/        demo survey definitions
#   /etc/buurtkiosk/buurtkiosk.ini        production configuration (conffile)
#   /lib/systemd/system/buurtkiosk.service, buurtkiosk-cage.service
#   /usr/share/doc/buurtkiosk/            copyright, changelog, deploy.md, ...
#   /usr/share/man/man1/buurtkiosk.1.gz
# made by the package's postinst (not by `cmake --install`):
#   /etc/buurtkiosk/token (0600 buurtkiosk), /var/lib/buurtkiosk (0750)
#
# The configuration and the units name these absolute paths, so the layout
# is for prefix /usr: an appliance package, not a relocatable one.

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(GNUInstallDirs)
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "buurtkiosk: cmake --install uses prefix ${CMAKE_INSTALL_PREFIX}, but the "
    "configuration and systemd units name /usr (the package always uses /usr)")
endif()

set(BK_PACKAGING_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(BK_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/buurtkiosk)
set(BK_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/buurtkiosk)
# Always /etc/buurtkiosk: the units and the documentation name it. (Use
# DESTDIR to install somewhere else than the running system.)
set(BK_CONF_DIR /etc/buurtkiosk)
pkg_get_variable(BK_SYSTEMD_UNIT_DIR_DEFAULT systemd systemdsystemunitdir)
if(NOT BK_SYSTEMD_UNIT_DIR_DEFAULT)
  set(BK_SYSTEMD_UNIT_DIR_DEFAULT /lib/systemd/system)
endif()
set(BK_SYSTEMD_UNIT_DIR ${BK_SYSTEMD_UNIT_DIR_DEFAULT} CACHE PATH
  "Where the systemd units are installed")
# `make install` and cpack install what is built and do not first rebuild
# every target (the tests package the tree they run in).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Reproducible: the build directory goes into the debug information (the
# compiler's working directory), and from there into the GNU build id that
# stays in the stripped binary. Map it away so that two build directories
# give the same bytes. (The source directory stays: BK_SOURCE_DIR is part of
# the program, so build from the same path for identical packages.)
foreach(bk_target bk_core bk_sync bk_ui buurtkiosk)
  target_compile_options(${bk_target} PRIVATE -fdebug-prefix-map=${CMAKE_BINARY_DIR}=.)
endforeach()

# Debian wants the changelog compressed with gzip -n (no name, no time stamp:
# the same bytes on every build).
find_program(BK_GZIP gzip REQUIRED)
set(BK_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
add_custom_command(OUTPUT ${BK_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${BK_GZIP} -n -9 -c ${BK_PACKAGING_DIR}/changelog > ${BK_CHANGELOG_GZ}
  DEPENDS ${BK_PACKAGING_DIR}/changelog
  COMMENT "Compressing the Debian changelog" VERBATIM)
set(BK_MANPAGE_GZ ${CMAKE_BINARY_DIR}/packaging/buurtkiosk.1.gz)
add_custom_command(OUTPUT ${BK_MANPAGE_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${BK_GZIP} -n -9 -c ${BK_PACKAGING_DIR}/buurtkiosk.1 > ${BK_MANPAGE_GZ}
  DEPENDS ${BK_PACKAGING_DIR}/buurtkiosk.1
  COMMENT "Compressing the manual page" VERBATIM)
add_custom_target(bk_changelog ALL DEPENDS ${BK_CHANGELOG_GZ} ${BK_MANPAGE_GZ})

install(TARGETS buurtkiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
install(FILES
    ${CMAKE_SOURCE_DIR}/assets/fonts/NotoSans-Regular.ttf
    ${CMAKE_SOURCE_DIR}/assets/fonts/NotoSans-Bold.ttf
    ${CMAKE_SOURCE_DIR}/assets/fonts/NotoSansArabic-Regular.ttf
    ${CMAKE_SOURCE_DIR}/assets/fonts/NotoSansArabic-Bold.ttf
    ${CMAKE_SOURCE_DIR}/assets/fonts/OFL.txt
  DESTINATION ${BK_SHARE_DIR}/assets/fonts COMPONENT kiosk)
install(FILES
    ${CMAKE_SOURCE_DIR}/config/surveys/buurtpeiling.json
    ${CMAKE_SOURCE_DIR}/config/surveys/symposium.json
  DESTINATION ${BK_SHARE_DIR}/surveys COMPONENT kiosk)
install(FILES ${BK_MANPAGE_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT kiosk)
install(FILES ${BK_PACKAGING_DIR}/buurtkiosk.ini DESTINATION ${BK_CONF_DIR} COMPONENT kiosk)
install(FILES ${BK_PACKAGING_DIR}/buurtkiosk.service ${BK_PACKAGING_DIR}/buurtkiosk-cage.service
  DESTINATION ${BK_SYSTEMD_UNIT_DIR} COMPONENT kiosk)
install(FILES
    ${BK_PACKAGING_DIR}/copyright
    ${BK_CHANGELOG_GZ}
    ${CMAKE_SOURCE_DIR}/README.md
    ${CMAKE_SOURCE_DIR}/docs/deploy.md
    ${CMAKE_SOURCE_DIR}/docs/configuration.md
    ${CMAKE_SOURCE_DIR}/docs/survey-format.md
    ${CMAKE_SOURCE_DIR}/docs/store.md
    ${CMAKE_SOURCE_DIR}/docs/sync.md
  DESTINATION ${BK_DOC_DIR} COMPONENT kiosk)

# ---- CPack: the Debian package ----
set(BK_PACKAGE_MAINTAINER "Buurtkiosk maintainers <buurtkiosk@example.nl>" CACHE STRING
  "Maintainer field of the Debian package")
set(BK_PACKAGE_RELEASE 1 CACHE STRING "Debian revision of the package (the part after -)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME buurtkiosk)
set(CPACK_PACKAGE_VENDOR "Gemeente Oosterhout")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The package always installs under /usr, whatever this build's prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${BK_PACKAGE_RELEASE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${BK_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "touch-screen survey kiosk for residents
Buurtkiosk is a full-screen touch survey kiosk for a municipality's
community centres and libraries. Residents answer a short survey in Dutch
or English; every answer is stored in a local SQLite database first and
uploaded to the municipality over HTTPS exactly once.
.
This package runs the kiosk as a supervised systemd service straight on the
console (SDL over KMS/DRM, no desktop needed), restarted after any crash or
hang, with a second service for the cage Wayland compositor.")
# Libraries are found by dpkg-shlibdeps; these are what the maintainer
# scripts use (useradd/groupadd, deb-systemd-helper).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, init-system-helpers (>= 1.54)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd (>= 250)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cage, libpam-systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${BK_PACKAGING_DIR}/debian/postinst
  ${BK_PACKAGING_DIR}/debian/prerm
  ${BK_PACKAGING_DIR}/debian/postrm
  ${BK_PACKAGING_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Only the kiosk's files: the collector's (component "collector") are its own
# package, from CPackCollectorConfig.cmake (cmake/PackagingCollector.cmake).
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};kiosk;/")
include(CPack)

# The collector's package, buurtkiosk-collector, built the same way.
include(${CMAKE_SOURCE_DIR}/cmake/PackagingCollector.cmake)
