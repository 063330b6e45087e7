# Fuzzing (issue 8): libFuzzer targets for the survey parser, the
# configuration parser, the replay parser and the handling of server replies
# (tests/fuzz/), and the collector's batch parser and gzip path. Two kinds of tests:
#
# fuzz_regress_<target>: the seeds and every regression input, run once
#   through the same target code built by gcc (so also under ASan + UBSan in
#   the sanitizer build). Fast; label fuzz-regress.
# fuzz: the real fuzzing, BK_FUZZ_SECONDS (default 40) per target, one after
#   another (tests/fuzz/run.sh). libFuzzer needs clang, so the targets are a
#   project of their own (tests/fuzz/CMakeLists.txt) built with clang into
#   <build>/fuzz by ExternalProject; it brings its own ASan + UBSan, hence
#   no-asan, and it is built only in the normal build.
set(BK_FUZZ_SRC ${CMAKE_SOURCE_DIR}/tests/fuzz)
# batch and gunzip are the collector's (collector/ingest/): what anyone
# with a token can send to POST /v1/batches.
set(BK_FUZZ_TARGETS survey config replay server_reply batch gunzip)

foreach(t ${BK_FUZZ_TARGETS})
  add_executable(fuzz_regress_${t} ${BK_FUZZ_SRC}/fuzz_${t}.c ${BK_FUZZ_SRC}/standalone_main.c)
  target_include_directories(fuzz_regress_${t} PRIVATE ${BK_FUZZ_SRC})
  target_link_libraries(fuzz_regress_${t} PRIVATE bk_sync bk_core bk_ingest)
  add_test(NAME fuzz_regress_${t}
    COMMAND fuzz_regress_${t} ${BK_FUZZ_SRC}/regressions/${t} ${BK_FUZZ_SRC}/corpus/${t})
  set_tests_properties(fuzz_regress_${t} PROPERTIES LABELS "fuzz-regress" TIMEOUT 300)
endforeach()

if(NOT BK_SANITIZE)
  if(DEFINED ENV{BK_FUZZ_SECONDS})
    set(BK_FUZZ_SECONDS $ENV{BK_FUZZ_SECONDS})
  else()
    set(BK_FUZZ_SECONDS 40)
  endif()
  find_program(BK_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
  if(BK_CLANG AND NOT DEFINED BK_CLANG_LIBFUZZER)
    # Does this clang have libFuzzer (Debian: libclang-rt-NN-dev)?
    set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/bk_fuzz_probe.c)
    file(WRITE ${probe} "#include <stddef.h>\n#include <stdint.h>\n"
      "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\n"
      "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
    execute_process(COMMAND ${BK_CLANG} -fsanitize=fuzzer,address,undefined ${probe}
      -o ${CMAKE_BINARY_DIR}/CMakeFiles/bk_fuzz_probe
      RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
    if(probe_rc EQUAL 0)
      set(BK_CLANG_LIBFUZZER ON CACHE INTERNAL "clang can build libFuzzer targets")
    else()
      set(BK_CLANG_LIBFUZZER OFF CACHE INTERNAL "clang can build libFuzzer targets")
    endif()
  endif()

  if(BK_CLANG AND BK_CLANG_LIBFUZZER)
    include(ExternalProject)
    ExternalProject_Add(bk_fuzzers
      SOURCE_DIR ${BK_FUZZ_SRC}
      BINARY_DIR ${CMAKE_BINARY_DIR}/fuzz
      CMAKE_ARGS -DCMAKE_C_COMPILER=${BK_CLANG} -DBK_SOURCE_DIR=${CMAKE_SOURCE_DIR}
        -DCMAKE_BUILD_TYPE=
      INSTALL_COMMAND ""
      BUILD_ALWAYS ON)
    add_test(NAME fuzz
      COMMAND ${BK_FUZZ_SRC}/run.sh ${CMAKE_BINARY_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz-work)
  else()
    message(STATUS "fuzz: no clang with libFuzzer; the fuzz test will fail (scripts/deps.sh test)")
    add_test(NAME fuzz COMMAND sh -c
      "echo 'fuzz: clang with libFuzzer is not installed (apt-get install clang libclang-rt-14-dev, or scripts/deps.sh test), then re-run cmake' >&2; exit 1")
  endif()
  math(EXPR fuzz_timeout "6 * ${BK_FUZZ_SECONDS} + 300")
  set_tests_properties(fuzz PROPERTIES LABELS "fuzz;no-asan" TIMEOUT ${fuzz_timeout})
endif()
