# PackagingCollector.cmake: `cmake --install` and the Debian package
# buurtkiosk-collector, the collector's own package beside the kiosk's.
# Included once from Packaging.cmake, after include(CPack), and built the same
# way as the kiosk's: cpack -G DEB from these install() rules (COMPONENT
# collector), with its configuration from CPackCollectorConfig.cmake:
#
#   cpack --config build/CPackCollectorConfig.cmake
#
# Installed layout (prefix /usr):
#   /usr/bin/buurtkiosk-collector
#   /etc/buurtkiosk/collector.ini                  configuration (conffile)
#   /lib/systemd/system/buurtkiosk-collector.service
#   /usr/share/doc/buurtkiosk-collector/           copyright, changelog, collector-deploy.md, ...
#   /usr/share/man/man1/buurtkiosk-collector.1.gz
#   /usr/share/buurtkiosk-collector/web/          the dashboard's style, script and icon
#                                                  (Chart.js itself: Debian's libjs-chart.js)
# made by the package's postinst (not by `cmake --install`):
#   the system user buurtkiosk-collector, /var/lib/buurtkiosk-collector (0750)

set(BK_COLLECTOR_PACKAGING_DIR ${BK_PACKAGING_DIR}/collector)
set(BK_COLLECTOR_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/buurtkiosk-collector)

# The same reproducibility as the kiosk's (see Packaging.cmake).
foreach(bk_target bk_ingest bk_storage bk_receive bk_http bk_web buurtkiosk-collector)
  target_compile_options(${bk_target} PRIVATE -fdebug-prefix-map=${CMAKE_BINARY_DIR}=.)
endforeach()

set(BK_COLLECTOR_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/collector/changelog.Debian.gz)
add_custom_command(OUTPUT ${BK_COLLECTOR_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/collector
  COMMAND ${BK_GZIP} -n -9 -c ${BK_COLLECTOR_PACKAGING_DIR}/changelog > ${BK_COLLECTOR_CHANGELOG_GZ}
  DEPENDS ${BK_COLLECTOR_PACKAGING_DIR}/changelog
  COMMENT "Compressing the collector's Debian changelog" VERBATIM)
set(BK_COLLECTOR_MANPAGE_GZ ${CMAKE_BINARY_DIR}/packaging/collector/buurtkiosk-collector.1.gz)
add_custom_command(OUTPUT ${BK_COLLECTOR_MANPAGE_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/collector
  COMMAND ${BK_GZIP} -n -9 -c ${BK_COLLECTOR_PACKAGING_DIR}/buurtkiosk-collector.1 > ${BK_COLLECTOR_MANPAGE_GZ}
  DEPENDS ${BK_COLLECTOR_PACKAGING_DIR}/buurtkiosk-collector.1
  COMMENT "Compressing the collector's manual page" VERBATIM)
add_custom_target(bk_collector_package_files ALL
  DEPENDS ${BK_COLLECTOR_CHANGELOG_GZ} ${BK_COLLECTOR_MANPAGE_GZ})

install(TARGETS buurtkiosk-collector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  COMPONENT collector)
install(FILES ${BK_COLLECTOR_MANPAGE_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
  COMPONENT collector)
install(FILES ${CMAKE_SOURCE_DIR}/collector/web/static/style.css
    ${CMAKE_SOURCE_DIR}/collector/web/static/app.js
    ${CMAKE_SOURCE_DIR}/collector/web/static/favicon.svg
  DESTINATION ${CMAKE_INSTALL_DATADIR}/buurtkiosk-collector/web COMPONENT collector)
install(FILES ${BK_COLLECTOR_PACKAGING_DIR}/collector.ini DESTINATION ${BK_CONF_DIR}
  COMPONENT collector)
install(FILES ${BK_COLLECTOR_PACKAGING_DIR}/buurtkiosk-collector.service
  DESTINATION ${BK_SYSTEMD_UNIT_DIR} COMPONENT collector)
install(FILES
    ${BK_COLLECTOR_PACKAGING_DIR}/copyright
    ${BK_COLLECTOR_CHANGELOG_GZ}
    ${CMAKE_SOURCE_DIR}/docs/collector-deploy.md
    ${CMAKE_SOURCE_DIR}/docs/collector.md
    ${CMAKE_SOURCE_DIR}/docs/dashboard.md
    ${CMAKE_SOURCE_DIR}/docs/protocol.md
  DESTINATION ${BK_COLLECTOR_DOC_DIR} COMPONENT collector)

# The package's CPack configuration: the kiosk's CPackConfig.cmake (version,
# release, maintainer, reproducibility settings) with the collector's name,
# component, description, dependencies and maintainer scripts.
configure_file(${CMAKE_SOURCE_DIR}/cmake/CPackCollectorConfig.cmake.in
  ${CMAKE_BINARY_DIR}/CPackCollectorConfig.cmake @ONLY)
