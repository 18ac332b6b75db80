// JSON Schema (draft-07) of VM files and hardware profiles, generated from the key table, for
// editors (yaml-language-server in VS Code and Neovim: key completion, each key's doc, wrong types).
#pragma once

#include <string>

#include "model/keys.h"

namespace vfiogen {

// The schema of `doc` as pretty-printed JSON: every key of the table with its type, range or
// choices, default and summary; unknown keys rejected (additionalProperties: false), required keys
// required. It checks shape only: rules between keys and the targets' rules stay with the loader.
std::string key_json_schema(DocKind doc);

}  // namespace vfiogen
