# Install rules and the Debian package (CPack DEB): `cmake --install BUILD` or
# `cd BUILD && cpack -G DEB`. Paths are those of a Debian system with the prefix /usr:
#   /usr/bin/segmentd, /etc/segmentd/segmentd.toml (a conffile, every option commented),
#   /usr/lib/systemd/system/segmentd.service, /usr/lib/sysusers.d/segmentd.conf,
#   /usr/share/segmentd/{schemas,prometheus,grafana,kubernetes}, /usr/share/doc/segmentd.
set(package_dir "${PROJECT_SOURCE_DIR}/deploy/package")

install(TARGETS segmentd RUNTIME DESTINATION bin)
install(FILES "${package_dir}/segmentd.toml" DESTINATION /etc/segmentd)
install(FILES "${package_dir}/segmentd.service" DESTINATION lib/systemd/system)
install(FILES "${package_dir}/segmentd.sysusers" DESTINATION lib/sysusers.d
        RENAME segmentd.conf)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/schemas/" DESTINATION share/segmentd/schemas)
foreach(kit prometheus grafana kubernetes)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/deploy/${kit}/" DESTINATION share/segmentd/${kit}
          PATTERN "tests" EXCLUDE)
endforeach()
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/CONFIGURATION.md"
        DESTINATION share/doc/segmentd)

set(CPACK_PACKAGE_NAME segmentd)
set(CPACK_PACKAGE_VENDOR "segmentd")
set(CPACK_PACKAGE_CONTACT "segmentd maintainers <segmentd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "membership segments from purchase events (Kafka, RocksDB)")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps (dpkg-dev) finds the library packages

configure_file("${package_dir}/conffiles" "${CMAKE_CURRENT_BINARY_DIR}/deb/conffiles" COPYONLY)
foreach(script postinst prerm postrm)
  configure_file("${package_dir}/${script}" "${CMAKE_CURRENT_BINARY_DIR}/deb/${script}" COPYONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_BINARY_DIR}/deb/conffiles;${CMAKE_CURRENT_BINARY_DIR}/deb/postinst;${CMAKE_CURRENT_BINARY_DIR}/deb/prerm;${CMAKE_CURRENT_BINARY_DIR}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)
