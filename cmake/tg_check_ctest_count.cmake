# A CTest test of the test set itself: CTest must run exactly the Catch2 test cases, no more and no fewer, and
# every test must fail when its filter selects nothing (-w NoTests). Run by tests/CMakeLists.txt with
# -D BUILD_DIR=<the build tree> -D EXES=<the Catch2 test executables, |-separated>.
string(REPLACE "|" ";" EXES "${EXES}")
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} -N WORKING_DIRECTORY ${BUILD_DIR} OUTPUT_VARIABLE listing
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest -N failed in ${BUILD_DIR}")
endif()
string(REGEX MATCH "Total Tests: ([0-9]+)" _ "${listing}")
set(n_ctest ${CMAKE_MATCH_1})

set(n_catch 0)
foreach(exe ${EXES})
  execute_process(COMMAND ${exe} --list-test-names-only OUTPUT_VARIABLE names RESULT_VARIABLE rc)
  string(REGEX REPLACE "\n+" "\n" names "${names}")
  string(REGEX REPLACE "[^\n]" "" newlines "${names}")  # one per name (not a CMake list: names may hold ';')
  string(LENGTH "${newlines}" n)
  math(EXPR n_catch "${n_catch} + ${n}")
  get_filename_component(stem ${exe} NAME)
  file(GLOB scripts ${BUILD_DIR}/tests/${stem}_tests.cmake)
  foreach(script ${scripts})
    file(STRINGS ${script} adds REGEX "^add_test\\(")
    foreach(line IN LISTS adds)
      if(NOT line MATCHES " -w NoTests\\)$")
        message(FATAL_ERROR "${script}: a test runs without -w NoTests: ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()

# Besides the Catch2 cases, CTest runs this check and the tests labelled `program` (gdb, assignment graders).
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} -N -L "^program$" WORKING_DIRECTORY ${BUILD_DIR}
                OUTPUT_VARIABLE listing)
string(REGEX MATCH "Total Tests: ([0-9]+)" _ "${listing}")
set(n_program ${CMAKE_MATCH_1})
math(EXPR n_expected "${n_catch} + 1 + ${n_program}")
if(NOT n_ctest EQUAL n_expected)
  message(FATAL_ERROR "CTest lists ${n_ctest} tests but the Catch2 binaries hold ${n_catch} test cases (+1 for "
                      "this check, +${n_program} labelled program): some test case is not run on its own, or runs "
                      "twice")
endif()
message(STATUS "CTest runs exactly the ${n_catch} Catch2 test cases")
