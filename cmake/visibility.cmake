# Export only the dgm4j_ C API (marked DGM4J_API in dgm4j.h). Everything else, including the
# statically linked cudart, is hidden so it cannot clash with another CUDA runtime in the process
# (e.g. the JavaCPP CUDA presets).
function(dgm4j_hide_symbols target)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    CUDA_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE "LINKER:--exclude-libs,ALL" "LINKER:--no-undefined")
endfunction()
