# Packs the students' kit (KIND=handout: tapegrad-assignments.tar.gz) or Gradescope's autograder (KIND=autograder:
# tapegrad-autograder.zip, with setup.sh and run_autograder at its root and the kit plus the hidden checks under
# tapegrad/). The kit is the library's sources, the docs and examples/assignments without solutions/, mistakes/,
# hidden/, gradescope/ and instructor/; docs/teaching.md (the instructors' page, which names them) stays out too.
#   cmake -D SOURCE=<repository> -D OUT=<archive> -D KIND=handout|autograder -D STAGE=<empty folder> -P make_kit.cmake
foreach(var SOURCE OUT KIND STAGE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "make_kit.cmake: -D ${var}=... is missing")
  endif()
endforeach()
set(withheld solutions mistakes hidden gradescope instructor)
if(KIND STREQUAL "handout")
  set(kit ${STAGE}/tapegrad-assignments)
elseif(KIND STREQUAL "autograder")
  set(kit ${STAGE}/tapegrad)
  list(REMOVE_ITEM withheld hidden)
else()
  message(FATAL_ERROR "make_kit.cmake: KIND is ${KIND}, but must be handout or autograder")
endif()
file(REMOVE_RECURSE ${STAGE})
file(MAKE_DIRECTORY ${kit})

file(COPY ${SOURCE}/LICENSE DESTINATION ${kit})
file(COPY ${SOURCE}/cmake/tapegrad_library.cmake DESTINATION ${kit}/cmake)
foreach(folder autodiff prob nn vae)
  file(COPY ${SOURCE}/${folder} DESTINATION ${kit} FILES_MATCHING PATTERN "*.cpp" PATTERN "*.hpp"
       PATTERN "CMakeLists.txt")
endforeach()
file(COPY ${SOURCE}/docs DESTINATION ${kit} PATTERN "teaching.md" EXCLUDE)
set(assignments ${SOURCE}/examples/assignments)
set(excluded "")
foreach(dir ${withheld})
  list(APPEND excluded PATTERN "${dir}" EXCLUDE)
endforeach()
file(COPY ${assignments} DESTINATION ${kit}/examples ${excluded} PATTERN "kit_README.md" EXCLUDE)
configure_file(${assignments}/kit_README.md ${kit}/README.md COPYONLY)

if(KIND STREQUAL "handout")
  execute_process(COMMAND ${CMAKE_COMMAND} -E tar czf ${OUT} tapegrad-assignments WORKING_DIRECTORY ${STAGE}
                  RESULT_VARIABLE rc)
else()
  file(COPY ${assignments}/gradescope/setup.sh ${assignments}/gradescope/run_autograder
       ${assignments}/gradescope/exercises.txt DESTINATION ${STAGE}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  file(COPY ${assignments}/gradescope/merge_results.cmake DESTINATION ${STAGE})
  execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf ${OUT} --format=zip setup.sh run_autograder exercises.txt
                          merge_results.cmake tapegrad WORKING_DIRECTORY ${STAGE} RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_kit.cmake: could not write ${OUT}")
endif()
message(STATUS "wrote ${OUT}")
