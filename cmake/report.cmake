# report.cmake: the collector's reports (collector/report/): the Excel
# workbook of `buurtkiosk-collector export --format xlsx`. The only code that
# includes libxlsxwriter. Included from the top-level CMakeLists.txt right
# after bk_shared, which it builds on.
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
add_library(bk_report STATIC ${CMAKE_SOURCE_DIR}/collector/report/report_xlsx.c
  ${CMAKE_SOURCE_DIR}/collector/report/report_surveys.c)
target_include_directories(bk_report PUBLIC ${CMAKE_SOURCE_DIR}/collector/report)
target_link_libraries(bk_report PUBLIC bk_storage bk_shared PkgConfig::JANSSON
  PkgConfig::XLSXWRITER)
# The same reproducibility as the other libraries (see Packaging.cmake).
target_compile_options(bk_report PRIVATE -fdebug-prefix-map=${CMAKE_BINARY_DIR}=.)
