# The include graph, checked over every source file: each layer includes only
# the layers below it (cmake/layers.cmake holds the table), and tests of a
# layer only what that layer may. Run by ctest as `layering`:
#   cmake -DQUN_SOURCE_DIR=<root> -P tests/layering_check.cmake
# It also holds cli/ to being thin (no SQL and no field written by table
# and column name) and the op log's tables to core/.
cmake_minimum_required(VERSION 3.22)
include(${QUN_SOURCE_DIR}/cmake/layers.cmake)
# The tree to check: the project, or (to show that the check fails when it
# should) the broken tree of tests/data/layering-broken.
if(NOT QUN_SCAN_DIR)
  set(QUN_SCAN_DIR ${QUN_SOURCE_DIR})
endif()

set(failures "")
function(check_folder folder layer extra)
  set(allowed ${QUN_LAYER_ALLOWS_${layer}} ${extra})
  file(GLOB_RECURSE sources ${QUN_SCAN_DIR}/${folder}/*.h ${QUN_SCAN_DIR}/${folder}/*.cc)
  foreach(source IN LISTS sources)
    file(STRINGS ${source} includes REGEX "^#include \"[a-z_]+/")
    foreach(line IN LISTS includes)
      string(REGEX MATCH "^#include \"([a-z_]+)/" _ "${line}")
      set(to ${CMAKE_MATCH_1})
      if(NOT to IN_LIST allowed)
        file(RELATIVE_PATH rel ${QUN_SCAN_DIR} ${source})
        set(failures "${failures}\n  ${rel}: ${line} (layer ${layer} may include: ${allowed})")
      endif()
    endforeach()
  endforeach()
  set(failures "${failures}" PARENT_SCOPE)
endfunction()

foreach(layer base core community sync node cli)
  set(extra "")
  if(layer STREQUAL "sync")
    set(extra schemas)  # the code capnp generates from schemas/
  endif()
  check_folder(${layer} ${layer} "${extra}")
  # A layer's tests see what the layer sees, and the test support. Tests of
  # sync make their data with the community's registry, as a node does.
  set(test_extra support schemas)
  if(layer STREQUAL "sync")
    list(APPEND test_extra community)
  endif()
  check_folder(tests/${layer} ${layer} "${test_extra}")
endforeach()
check_folder(bench bench "")

# Inside sync/, the parts of the change set store call one way: the inbox
# (change_set_store, inbox_waiting) uses the outbox, forks and what to send;
# those use the keyring and the decisions; everything uses held, the read
# model. A part may include only parts of a lower rank (or its own header).
set(sync_part_rank_held 0)
set(sync_part_rank_decisions 1)
set(sync_part_rank_keyring 1)
set(sync_part_rank_forks 2)
set(sync_part_rank_send 2)
set(sync_part_rank_outbox 2)
set(sync_part_rank_change_set_store 3)
set(sync_part_rank_inbox_waiting 3)
foreach(part held decisions keyring forks send outbox change_set_store inbox_waiting)
  foreach(source ${QUN_SOURCE_DIR}/sync/${part}.h ${QUN_SOURCE_DIR}/sync/${part}.cc)
    if(NOT EXISTS ${source})
      continue()
    endif()
    file(STRINGS ${source} includes REGEX "^#include \"sync/[a-z_]+\\.h\"")
    foreach(line IN LISTS includes)
      string(REGEX MATCH "^#include \"sync/([a-z_]+)\\.h\"" _ "${line}")
      set(to ${CMAKE_MATCH_1})
      # inbox_waiting.cc is more of the inbox: it defines ChangeSetStore's
      # methods too.
      if(to STREQUAL part OR NOT DEFINED sync_part_rank_${to} OR
         (part STREQUAL "inbox_waiting" AND to STREQUAL "change_set_store"))
        continue()
      endif()
      if(NOT sync_part_rank_${to} LESS sync_part_rank_${part})
        file(RELATIVE_PATH rel ${QUN_SCAN_DIR} ${source})
        set(failures "${failures}\n  ${rel}: ${line} (a part of the change set store calls only \
parts below it: held < decisions, keyring < forks, send, outbox < change_set_store)")
      endif()
    endforeach()
  endforeach()
endforeach()

# Lines no file of `folders` may hold: each is named with `what`.
function(forbid_lines folders regex what)
  set(found "")
  foreach(folder IN LISTS folders)
    file(GLOB_RECURSE sources ${QUN_SCAN_DIR}/${folder}/*.h ${QUN_SCAN_DIR}/${folder}/*.cc)
    foreach(source IN LISTS sources)
      file(STRINGS ${source} lines REGEX "${regex}")
      foreach(line IN LISTS lines)
        file(RELATIVE_PATH rel ${QUN_SCAN_DIR} ${source})
        string(STRIP "${line}" line)
        set(found "${found}\n  ${rel}: ${what}: ${line}")
      endforeach()
    endforeach()
  endforeach()
  set(failures "${failures}${found}" PARENT_SCOPE)
endfunction()

# cli/ parses, calls the node and the community, and formats: it holds no SQL
# and writes no field by table and column name.
forbid_lines("cli"
  "(SELECT |INSERT |UPDATE |DELETE FROM|->Set\\(\"|\\.Set\\(\"|Cached\\(|Prepare\\(|Exec\\()"
  "SQL or a field write in cli/")

# The op log's tables are core's: above it, code asks core/log_reads.h (or
# the write path) instead of naming them in SQL of its own.
forbid_lines("community;sync;node;cli"
  "(FROM|JOIN|INTO|UPDATE) (op|op_txn|op_author|field_clock|meta|node_role)([ ,;)\"]|$)"
  "SQL on the op log outside core/")

if(failures)
  message(FATAL_ERROR "The layers' include rules are broken:${failures}")
endif()
message(STATUS "layering: every include follows the layers")
