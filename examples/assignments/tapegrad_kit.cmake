# The kit's libraries, when examples/assignments is configured as a project of its own (grade.sh, the handout, the
# autograder). An installed tapegrad is used when find_package finds it (set CMAKE_PREFIX_PATH or tapegrad_DIR):
# nothing of the library is compiled. Otherwise the libraries are built from the sources two folders up (the
# repository or the unpacked kit), each only when a grader needs it, and their headers are system headers: their
# warnings never reach a student's screen. docs/teaching.md.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
enable_testing()

set(TG_KIT_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. CACHE PATH "The sources of tapegrad (the kit or the repository)")
option(TG_KIT_FROM_SOURCES "Build tapegrad from TG_KIT_ROOT even when an installed one is found" OFF)

if(NOT TG_KIT_FROM_SOURCES)
  find_package(tapegrad CONFIG QUIET)
endif()

if(tapegrad_FOUND)
  message(STATUS "assignments: grading against the installed tapegrad in ${tapegrad_DIR}")
  include(${CMAKE_CURRENT_LIST_DIR}/tapegrad_kit_warnings.cmake)
elseif(EXISTS ${TG_KIT_ROOT}/autodiff/CMakeLists.txt)
  message(STATUS "assignments: building tapegrad from ${TG_KIT_ROOT} (each library when a grader needs it)")
  include(GNUInstallDirs)
  set(TG_GDB_AUTOLOAD OFF CACHE BOOL "" FORCE)
  include(${TG_KIT_ROOT}/cmake/tapegrad_library.cmake)
  foreach(folder autodiff prob nn vae)
    add_subdirectory(${TG_KIT_ROOT}/${folder} ${CMAKE_BINARY_DIR}/tapegrad/${folder} EXCLUDE_FROM_ALL SYSTEM)
    # tg_library names the project's folder as the include path; here that is the sources' root
    target_include_directories(tg_${folder} SYSTEM PUBLIC $<BUILD_INTERFACE:${TG_KIT_ROOT}>)
  endforeach()
else()
  message(FATAL_ERROR "assignments: no tapegrad found. Install it (cmake --install) and set CMAKE_PREFIX_PATH to its "
                      "prefix, or configure from a kit or a clone that holds autodiff/, prob/, nn/ and vae/ "
                      "(TG_KIT_ROOT=${TG_KIT_ROOT})")
endif()
