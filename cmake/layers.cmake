# Layers and what each may include.
#
# Qun's code is a stack of layers; each folder is one layer and may include
# only from the layers below it. The build enforces this: a layer's sources do
# not see the project root but a folder of their own
# (<build>/layers/<layer>) that links only to the folders they may include,
# so `#include "sync/…"` from core/ fails to compile. tests/layering_check.cmake
# checks the same table over every source file, tests included, as a test.
#
#   base       Status/Result and pure text: no database, no Qun concept
#   core       the storage engine and the op log (the one write path)
#   community  the organizers' domain, written only through core's WriteTxn
#   sync       change sets, authority, bundles, invites, transport; never the domain
#   node       the application layer every front end calls
#   cli        parse, call, format
set(QUN_LAYER_ALLOWS_base base)
set(QUN_LAYER_ALLOWS_core base core)
set(QUN_LAYER_ALLOWS_community base core community)
set(QUN_LAYER_ALLOWS_sync base core sync)
set(QUN_LAYER_ALLOWS_node base core community sync node)
set(QUN_LAYER_ALLOWS_cli base core community sync node cli)
set(QUN_LAYER_ALLOWS_bench base core community sync node bench)

# Gives TARGET the include root of LAYER: a folder of links to the layers it
# may include, and nothing else of the source tree.
function(qun_layer_includes target layer)
  set(root ${CMAKE_BINARY_DIR}/layers/${layer})
  file(MAKE_DIRECTORY ${root})
  foreach(allowed IN LISTS QUN_LAYER_ALLOWS_${layer})
    if(NOT EXISTS ${root}/${allowed})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${allowed} ${root}/${allowed} SYMBOLIC)
    endif()
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
