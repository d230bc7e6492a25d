# tg_warnings for a kit that grades against an installed tapegrad (the repository's cmake/tapegrad_library.cmake
# defines it otherwise): the graders and the students' files compile with the project's warnings.
function(tg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)  # GCC bug 105329, as in the library
  endif()
endfunction()
