// Reading YAML files into yaml-cpp nodes, with every failure reported as file:line:col.
// This layer knows nothing about keys; keys.h and the loaders give the nodes meaning.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "base/bounded_read.h"
#include "base/diagnostic.h"

namespace vfiogen {

// Most nodes in one YAML document, counting every alias as a copy of its anchor's node (100,000;
// a VM file or profile has a few hundred). Bounds the work of everything that walks the nodes.
constexpr size_t kMaxYamlNodes = 100000;

// Most bytes of scalar values in one document, aliases counted as copies (as kMaxInputBytes).
constexpr size_t kMaxYamlScalarBytes = kMaxInputBytes;

// Reads and parses `path` ("-" is not accepted here). The root must be a mapping.
// Throws InputError (Unreadable) for a missing file, a directory, a FIFO or device, an empty or
// binary file, a file over kMaxInputBytes, or a YAML syntax error (with yaml-cpp's line:col);
// InputError (Invalid) when the root is not a mapping.
YAML::Node load_yaml_file(const std::string& path);

// Parses YAML text already in memory; `path` only labels the messages. Same errors.
YAML::Node load_yaml_text(const std::string& text, const std::string& path);

// The 1-based mark of a node in `file` (yaml-cpp marks are 0-based).
Mark mark_of(const std::string& file, const YAML::Node& node);

}  // namespace vfiogen
