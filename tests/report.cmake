# The collector's reports (collector/report/): the Excel workbook, read back
# with Python's zipfile; and `export --format xlsx` refusing standard output
# (before it reads any configuration).
bk_add_test(test_report_xlsx SOURCES ${CMAKE_SOURCE_DIR}/tests/test_report_xlsx.c
  LIBS bk_report LABELS collector)
add_test(NAME report_xlsx_cli_stdout
  COMMAND buurtkiosk-collector export --format xlsx --out - --config /nonexistent)
set_tests_properties(report_xlsx_cli_stdout PROPERTIES LABELS collector
  PASS_REGULAR_EXPRESSION "an xlsx workbook cannot be written to standard output")
add_test(NAME report_xlsx_cli_format
  COMMAND buurtkiosk-collector export --format xls --out x.xls --config /nonexistent)
set_tests_properties(report_xlsx_cli_format PROPERTIES LABELS collector
  PASS_REGULAR_EXPRESSION "--format must be csv, jsonl or xlsx, not \"xls\"")
