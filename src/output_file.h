// Writing results: to stdout, or to a file replaced atomically so a failure never leaves a
// partial or changed file behind.
#pragma once

#include <string>

namespace vfiogen {

// Writes `text` to `path` through a temporary file in the same directory and rename(2);
// "-" or "" writes to stdout. Throws OutputError (with the path and strerror) when the
// directory is missing, `path` is a directory, or any write, sync or rename fails; the
// temporary file is removed and an existing `path` is left as it was.
void write_output(const std::string& path, const std::string& text);

}  // namespace vfiogen
