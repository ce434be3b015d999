# Installing trainsim and packaging it (docs/design.md §6).
#
#   cmake --install build --prefix P   ->  P/bin/trainsim
#                                          P/share/trainsim/{models,topologies,scenarios,data/reference}
#                                          P/share/doc/trainsim/ (README, docs/)
#   cd build && cpack -G DEB           ->  trainsim_VERSION_ARCH.deb (installs under /usr)
#
# The data goes to share/trainsim beside bin/ because the binary looks for it
# there (EXE_DIR/../share/trainsim, sim/load/data_dir.hpp): keep the two paths
# together if either changes. Only the command is installed; the static
# libraries are internal.
set(TRAINSIM_INSTALL_DATA_DIR share/trainsim)

install(TARGETS trainsim RUNTIME DESTINATION bin)
install(DIRECTORY models topologies scenarios DESTINATION ${TRAINSIM_INSTALL_DATA_DIR})
install(DIRECTORY data/reference DESTINATION ${TRAINSIM_INSTALL_DATA_DIR}/data)
install(FILES README.md DESTINATION share/doc/trainsim)
install(DIRECTORY docs/ DESTINATION share/doc/trainsim/docs)

# Debian package (cpack -G DEB). Runtime dependencies come from
# dpkg-shlibdeps (dpkg-dev) reading the binary: yaml-cpp, oneTBB, toml++, spdlog, fmt,
# the C++ runtime, and OpenMPI in a TRAINSIM_MPI build.
set(CPACK_PACKAGE_NAME trainsim)
set(CPACK_PACKAGE_VENDOR "trainsim maintainers")
set(CPACK_PACKAGE_CONTACT "trainsim maintainers <maintainers@users.noreply.r-seed-284fdd6b.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "discrete-event simulator of large-model training on GPU clusters")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
