# tg_library(NAME folder DEPS ...): one library target per folder, sources found by glob,
# headers installed under include/<folder>, exported as tg::<folder>.
find_package(Threads REQUIRED)

function(tg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 at -O3 reports a false -Wrestrict inside std::string's operator+ (GCC bug 105329, fixed in 13).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(TG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(tg_common_flags target)
  if(TG_MARCH)
    target_compile_options(${target} PUBLIC $<BUILD_INTERFACE:-march=${TG_MARCH}>)
  elseif(TG_NATIVE)
    target_compile_options(${target} PUBLIC $<BUILD_INTERFACE:-march=native>)
  endif()
  if(TG_FUZZ)  # coverage for libFuzzer in every library; the fuzz targets link libFuzzer itself
    target_compile_options(${target} PUBLIC -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                                            -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  elseif(TG_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-sanitize-recover=all
                                            -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# Build time (docs/performance.md, "Build time"), with TG_PRECOMPILE_HEADERS: the headers nearly every file of the
# libraries and the examples reads, parsed once into a precompiled header (a fifth to a third of a library file's
# CPU). tg_autodiff makes the libraries' and tg_pictures the examples'; the others reuse them, their flags being the
# same (GCC refuses a precompiled header made with other flags, and -Winvalid-pch with -Werror says so). Off by
# default: the presets without it (portable, libcxx, aarch64, x86-64-v4, release) compile every file as written, so
# a file that does not include what it uses still fails somewhere in CI.
set(TG_PRECOMPILED_HEADERS <algorithm> <array> <cmath> <cstring> <limits> <memory> <sstream> <stdexcept> <string>
                           <vector> ${PROJECT_SOURCE_DIR}/autodiff/autodiff.hpp)
function(tg_precompiled_headers target maker)
  if(NOT TG_PRECOMPILE_HEADERS)
    return()
  endif()
  if(target STREQUAL maker)
    target_precompile_headers(${target} PRIVATE ${TG_PRECOMPILED_HEADERS})
  else()
    target_precompile_headers(${target} REUSE_FROM ${maker})
  endif()
endfunction()

function(tg_library folder)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  file(GLOB_RECURSE hdrs CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*.hpp)
  add_library(tg_${folder} ${srcs})
  add_library(tg::${folder} ALIAS tg_${folder})
  set_target_properties(tg_${folder} PROPERTIES EXPORT_NAME ${folder} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(tg_${folder} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/tapegrad>)
  target_link_libraries(tg_${folder} PUBLIC ${ARG_DEPS})
  target_compile_features(tg_${folder} PUBLIC cxx_std_20)
  tg_warnings(tg_${folder})
  tg_common_flags(tg_${folder})
  # Nothing reads errno: without it, sqrt and friends in the kernels can be vectorised. (No -ffast-math: the
  # kernels rely on IEEE inf and NaN.)
  target_compile_options(tg_${folder} PRIVATE -fno-math-errno)
  tg_precompiled_headers(tg_${folder} tg_autodiff)
  foreach(h ${hdrs})
    get_filename_component(dir ${h} DIRECTORY)
    install(FILES ${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tapegrad/${folder}/${dir})
  endforeach()
  install(TARGETS tg_${folder} EXPORT tapegradTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
