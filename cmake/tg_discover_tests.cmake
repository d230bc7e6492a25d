# tg_discover_tests(target LABEL folder): after each build, list the Catch2 test cases of `target` and add each
# as its own CTest test, labelled with the folder and with every Catch2 tag it carries ([iwae] -> label iwae),
# so `ctest -L iwae` runs one concept. (Catch2 2.13's own discovery does not turn tags into labels.)
set(TG_ADD_TESTS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/tg_add_tests.cmake)

function(tg_discover_tests target)
  cmake_parse_arguments(ARG "" "LABEL" "" ${ARGN})
  set(ctest_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D EXE=$<TARGET_FILE:${target}> -D OUT=${ctest_file} -D LABEL=${ARG_LABEL}
            -D WORKDIR=${CMAKE_CURRENT_BINARY_DIR} -P ${TG_ADD_TESTS_SCRIPT}
    VERBATIM BYPRODUCTS ${ctest_file})
  file(WRITE ${include_file}
    "if(EXISTS \"${ctest_file}\")\n  include(\"${ctest_file}\")\nelse()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
