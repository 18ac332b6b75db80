// Mustache templates (kainjow) for the outputs: the defaults from templates/ are compiled in,
// and a directory given with --templates overrides any of them by file name.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

namespace vfiogen {

// Largest override template read (256 KiB; the built-in ones are under 8 KiB). kainjow's parser
// keeps a node per word and per whitespace character.
constexpr size_t kMaxTemplateBytes = 256u << 10;

// Deepest nesting of {{#section}} / {{^inverted}} tags accepted (the built-in templates use 3).
constexpr size_t kMaxTemplateNesting = 32;

struct EmbeddedTemplate {
    const char* name;  // "pve.conf.mustache"
    const char* text;
};

// The templates built from templates/*.mustache (generated source).
const std::vector<EmbeddedTemplate>& embedded_templates();

// How `{{value}}` is escaped: XML for libvirt, nothing for PVE (whose values are checked instead).
enum class Escape { Xml, None };

class TemplateSet {
public:
    // `override_dir`: a directory whose NAME.mustache files replace the built-in ones.
    // Throws UsageError when the directory does not exist.
    explicit TemplateSet(std::optional<std::string> override_dir = std::nullopt);

    // Renders template `name` with `data`. Throws InputError (Unreadable) labelled with the
    // template's file when it is missing, not a regular file, over kMaxTemplateBytes or malformed
    // (unclosed section, bad tag), and at the tag that nests sections past kMaxTemplateNesting.
    std::string render(const std::string& name, const kainjow::mustache::data& data, Escape escape) const;

    // Where template `name` comes from: the override file, or "<built-in>/NAME".
    std::string origin(const std::string& name) const;

    // The override files read so far (absolute or as given), for "the output is an input" checks.
    const std::vector<std::string>& files_read() const { return read_; }

private:
    std::optional<std::string> text_of(const std::string& name) const;
    std::optional<std::string> dir_;
    mutable std::vector<std::string> read_;
    // Parsed templates by name and escape, so a long run (`vfiogen check` over many files)
    // parses each template once.
    mutable std::map<std::pair<std::string, Escape>, std::shared_ptr<kainjow::mustache::mustache>> compiled_;
};

}  // namespace vfiogen
