// Where an installed vfiogen finds its data files (hardware profiles, reference templates).
#pragma once

#include <string>

namespace vfiogen {

// The data directory of this installation: <prefix>/share/vfiogen, where <prefix> is the directory
// above the running binary's bin/ (read from /proc/self/exe), so a package unpacked anywhere (dpkg -x
// into a temporary root, a relocated /opt prefix) finds its own files. When the binary does not sit
// in a bin/ directory (the build tree) or /proc is not mounted, the configure-time
// CMAKE_INSTALL_FULL_DATADIR/vfiogen. The directory may not exist; callers treat it as one more
// search directory.
std::string installed_data_dir();

}  // namespace vfiogen
