// Reading YAML files into yaml-cpp nodes, with every failure reported as file:line:col.
// This layer knows nothing about keys; keys.h and the loaders give the nodes meaning.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "diagnostic.h"

namespace vfiogen {

// Largest input file accepted (4 MiB): a VM file or profile is a few KiB.
constexpr size_t kMaxInputBytes = 4u << 20;

// Reads and parses `path` ("-" is not accepted here). The root must be a mapping.
// Throws InputError (Unreadable) for a missing file, a directory, an empty or binary file,
// a file over kMaxInputBytes, or a YAML syntax error (with yaml-cpp's line:col);
// InputError (Invalid) when the root is not a mapping.
YAML::Node load_yaml_file(const std::string& path);

// Parses YAML text already in memory; `path` only labels the messages. Same errors.
YAML::Node load_yaml_text(const std::string& text, const std::string& path);

// The 1-based mark of a node in `file` (yaml-cpp marks are 0-based).
Mark mark_of(const std::string& file, const YAML::Node& node);

}  // namespace vfiogen
