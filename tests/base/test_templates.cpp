// TemplateSet: built-in templates, --templates overrides by file name, escaping, and every way an
// override can be wrong (missing directory, not a file, too large, malformed, nested too deep).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/templates.h"
#include "test_helpers.h"

using namespace vfiogen;
namespace fs = std::filesystem;

namespace {

struct Dir {
    fs::path path = fs::temp_directory_path() / ("vfiogen-templates-" + std::to_string(::getpid()));
    Dir() { fs::create_directories(path); }
    ~Dir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

kainjow::mustache::data view_with(const std::string& key, const std::string& value) {
    kainjow::mustache::data d;
    d.set(key, value);
    return d;
}

}  // namespace

TEST_CASE("templates: built-in by default, an override by file name, escaping as asked") {
    Dir dir;
    TemplateSet built_in;
    CHECK(built_in.origin("pve.conf.mustache") == "<built-in>/pve.conf.mustache");
    CHECK(std::any_of(embedded_templates().begin(), embedded_templates().end(),
                      [](const EmbeddedTemplate& t) { return std::string(t.name) == "host-modprobe-vfio.conf.mustache"; }));

    dir.write("pve.conf.mustache", "name: {{name}}\n");
    TemplateSet overridden(dir.path.string());
    CHECK(overridden.origin("pve.conf.mustache") == (dir.path / "pve.conf.mustache").string());
    CHECK(overridden.origin("libvirt.xml.mustache") == "<built-in>/libvirt.xml.mustache");  // only what is there
    CHECK(overridden.render("pve.conf.mustache", view_with("name", "a<b&c"), Escape::None) == "name: a<b&c\n");
    CHECK(overridden.render("pve.conf.mustache", view_with("name", "a<b&'c\""), Escape::Xml) ==
          "name: a&lt;b&amp;&apos;c&quot;\n");
    // Read once per escaping (each is parsed and kept): the file is an input of this run.
    for (const auto& f : overridden.files_read()) CHECK(f == (dir.path / "pve.conf.mustache").string());
    CHECK(!overridden.files_read().empty());
}

TEST_CASE("templates: a wrong override is an error naming its file, never a crash") {
    Dir dir;
    CHECK_THROWS_AS(TemplateSet(std::string("/nonexistent/templates")), UsageError);

    dir.write("pve.conf.mustache", "{{#name}}unclosed\n");
    TemplateSet malformed(dir.path.string());
    std::string error = test::input_error_text([&] { malformed.render("pve.conf.mustache", view_with("name", "x"), Escape::None); });
    CHECK(error.rfind((dir.path / "pve.conf.mustache").string() + ": error: malformed template: ", 0) == 0);

    std::string deep;
    for (size_t i = 0; i <= kMaxTemplateNesting; ++i) deep += "{{#name}}";
    for (size_t i = 0; i <= kMaxTemplateNesting; ++i) deep += "{{/name}}";
    dir.write("pve.conf.mustache", deep);
    TemplateSet nested(dir.path.string());
    CHECK(test::input_error_text([&] { nested.render("pve.conf.mustache", view_with("name", "x"), Escape::None); }) ==
          (dir.path / "pve.conf.mustache").string() + ":1:" + std::to_string(9 * kMaxTemplateNesting + 1) +
              ": error: template sections nest deeper than " + std::to_string(kMaxTemplateNesting) + " levels");

    dir.write("pve.conf.mustache", std::string(kMaxTemplateBytes + 1, 'x'));
    TemplateSet large(dir.path.string());
    CHECK(test::input_error_text([&] { large.render("pve.conf.mustache", view_with("name", "x"), Escape::None); })
              .find("file too large") != std::string::npos);

    fs::remove(dir.path / "pve.conf.mustache");
    fs::create_directory(dir.path / "pve.conf.mustache");
    TemplateSet directory(dir.path.string());
    CHECK(test::input_error_text([&] { directory.render("pve.conf.mustache", view_with("name", "x"), Escape::None); })
              .find("is a directory") != std::string::npos);

    TemplateSet none;
    CHECK(test::input_error_text([&] { none.render("nosuch.mustache", view_with("name", "x"), Escape::None); })
              .find("template not found") != std::string::npos);
}
