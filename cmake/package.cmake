# `cpack -G DEB` in the build directory: a Debian package of the installed layout (/usr/bin/vfiogen,
# /usr/share/vfiogen, man page, completions, schemas). Its Depends line is computed by dpkg-shlibdeps
# from the shared libraries the binary links (libyaml-cpp0.7, libpugixml1v5, libxml2, libpci3,
# libboost-program-options, libc6, libstdc++6, libgcc-s1): nothing else, so it installs on a
# Proxmox VE node without pulling qemu-system or a libvirt daemon, and on a libvirt host next to
# the daemon it already has. libvirt0 is opened with dlopen by define and attach only, so it is a
# Recommends: apt installs it by default, a PVE node may leave it out and still render and check. Those library package names carry sonames, so the package is for the
# Debian release it is built on: build on Debian 12 for PVE 8, on Debian 13 for PVE 9 (yaml-cpp
# 0.8, Boost 1.83). dpkg-shlibdeps comes with dpkg-dev.
set(CPACK_PACKAGE_NAME vfiogen)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "VFIO passthrough configs for Proxmox VE and libvirt from one YAML file")
set(CPACK_PACKAGE_DESCRIPTION
    "vfiogen turns one declarative YAML file per VM and reusable hardware profiles into Proxmox VE\n"
    "confs and libvirt domain XML for GPU, iGPU and audio PCI passthrough with VFIO, defines and\n"
    "patches libvirt domains with a preflight, lints VM files, qemu-server confs and libvirt XML,\n"
    "and inspects and configures hosts from sysfs.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(VFIOGEN_MAINTAINER "vfiogen maintainers <maintainers@vfiogen.invalid>" CACHE STRING
    "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT ${VFIOGEN_MAINTAINER})
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS libvirt0)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}\n${CPACK_PACKAGE_DESCRIPTION}")
# Directories in the package are 0755 as dpkg expects, whatever the builder's umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
