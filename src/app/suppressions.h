// Inline suppressions in checked files, as linters have them: a comment naming rule ids turns
// their findings off on one line.
//   YAML (VM files, profiles):  `# vfiogen: ignore=RULE[,RULE]` at the end of the line, or alone
//                               on the line above it
//   qemu-server confs, pci.cfg: `# vfiogen: ignore=RULE` in the first column of the line above (qemu-server
//                               reads `#` lines as the VM's description; a `#` after a value is
//                               part of the value, not a comment)
//   libvirt XML:                `<!-- vfiogen: ignore=RULE -->` at the end of the line or alone
//                               on the line above
#pragma once

#include <string>

#include "app/check.h"

namespace vfiogen {

// Removes the findings of `result` that a suppression in `text` (the file as checked, of kind
// `kind`) names for their line, and adds a `suppression-unused` note at each rule id that named
// no rule or suppressed nothing. Whole-file findings (line 0), `unreadable` and `more-findings`
// are never suppressed.
void apply_suppressions(const std::string& text, InputKind kind, FileResult& result);

}  // namespace vfiogen
