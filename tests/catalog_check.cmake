# Fails when a message marked for translation in the sources (_("...") or
# N_("...")) has no Chinese in po/zh_CN.po, naming each one. Run by ctest
# as `catalog_complete`.
cmake_minimum_required(VERSION 3.22)
set(sources "")
foreach(layer base core community sync node cli)
  file(GLOB_RECURSE found RELATIVE ${QUN_SOURCE_DIR} ${QUN_SOURCE_DIR}/${layer}/*.cc
       ${QUN_SOURCE_DIR}/${layer}/*.h)
  list(APPEND sources ${found})
endforeach()
list(SORT sources)
file(MAKE_DIRECTORY ${QUN_WORK_DIR})
set(pot ${QUN_WORK_DIR}/qun.pot)
execute_process(
  COMMAND ${QUN_XGETTEXT} --language=C++ --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=C_:1c,2 --keyword=NC_:1c,2
          --no-location --sort-output -o ${pot} ${sources}
  WORKING_DIRECTORY ${QUN_SOURCE_DIR}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "xgettext failed: ${err}")
endif()
if(NOT EXISTS ${pot})
  message(STATUS "catalog: no message is marked for translation")
  return()
endif()
# Merged without guessing, every message of the sources either has its
# Chinese or is listed by msgattrib --untranslated, with its English.
get_filename_component(gettext_bin ${QUN_XGETTEXT} DIRECTORY)
set(merged ${QUN_WORK_DIR}/merged.po)
execute_process(
  COMMAND ${gettext_bin}/msgmerge --quiet --no-fuzzy-matching --no-wrap -o ${merged}
          ${QUN_SOURCE_DIR}/po/zh_CN.po ${pot}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "msgmerge failed: ${err}")
endif()
execute_process(
  COMMAND ${gettext_bin}/msgattrib --untranslated --no-obsolete --no-wrap ${merged}
  RESULT_VARIABLE rc OUTPUT_VARIABLE missing ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "msgattrib failed: ${err}")
endif()
string(REGEX MATCHALL "\nmsgid \"[^\n]*" ids "${missing}")
list(FILTER ids EXCLUDE REGEX "msgid \"\"$")
if(ids)
  string(REPLACE ";" "" ids "${ids}")
  message(FATAL_ERROR "Messages without their Chinese in po/zh_CN.po (add each, with the same "
                      "placeholders):${ids}")
endif()
message(STATUS "catalog: every marked message has its Chinese")
