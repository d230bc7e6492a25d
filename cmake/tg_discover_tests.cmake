# tg_discover_tests(target LABEL folder): after each build, list the Catch2 test cases of `target` and add each
# as its own CTest test, labelled with the folder and with every Catch2 tag it carries ([iwae] -> label iwae),
# so `ctest -L iwae` runs one concept. (Catch2 2.13's own discovery does not turn tags into labels.) The test
# binary writes the script itself (tests/catch_main.cpp, --tg-ctest-script), so a name may hold any character;
# each test runs with `-w NoTests`, so a filter that matched nothing fails instead of passing.

function(tg_discover_tests target)
  cmake_parse_arguments(ARG "" "LABEL" "" ${ARGN})
  set(ctest_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake)
  # Cross-compiled (the aarch64 preset): the listing and every test run through the emulator, by a small script.
  set(runner $<TARGET_FILE:${target}>)
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    set(runner ${CMAKE_CURRENT_BINARY_DIR}/run_${target}.sh)
    list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " emulator)
    file(GENERATE OUTPUT ${runner} CONTENT "#!/bin/sh\nexec ${emulator} $<TARGET_FILE:${target}> \"$@\"\n"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${runner} --tg-ctest-script ${runner} ${ctest_file} ${ARG_LABEL} ${CMAKE_CURRENT_BINARY_DIR}
    VERBATIM BYPRODUCTS ${ctest_file})
  file(WRITE ${include_file}
    "if(EXISTS \"${ctest_file}\")\n  include(\"${ctest_file}\")\nelse()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
