#include <doctest/doctest.h>

#include <set>

#include "model/keys.h"
#include "model/yaml_source.h"
#include "test_helpers.h"

using namespace vfiogen;

namespace {

std::string validate_error(const std::string& text, DocKind doc = DocKind::Vm) {
    return test::input_error_text([&] { validate_keys(load_yaml_text(text, "f.yaml"), doc, "f.yaml"); });
}

}  // namespace

TEST_CASE("docs/KEYS.md is the key table's markdown reference") {
    CHECK(test::read_file(test::source_dir() + "/docs/KEYS.md") == key_reference_markdown());
}

TEST_CASE("every key table row is complete and hangs under a mapping or list row") {
    std::set<std::string> seen;
    for (const auto& k : key_table()) {
        std::string path(k.path);
        INFO(path);
        CHECK_FALSE(k.summary.empty());
        CHECK(seen.insert(std::to_string(static_cast<int>(k.doc)) + path).second);
        if (k.type == KeyType::Enum) CHECK_FALSE(k.choices.empty());
        if (k.type == KeyType::Integer) CHECK(k.min <= k.max);
        size_t dot = path.rfind('.');
        if (dot != std::string::npos) {
            std::string parent = path.substr(0, dot);
            bool list_item = parent.size() > 2 && parent.compare(parent.size() - 2, 2, "[]") == 0;
            if (list_item) parent.resize(parent.size() - 2);
            const KeySpec& p = key_spec(k.doc, parent);
            CHECK(p.type == (list_item ? KeyType::List : KeyType::Map));
        }
    }
}

TEST_CASE("unknown keys are errors with the key's position and a suggestion") {
    CHECK(validate_error("name: a\nmemroy_mib: 4\n") ==
          "f.yaml:2:1: error: unknown key 'memroy_mib' (did you mean 'memory_mib'?)");
    CHECK(validate_error("name: a\ncpu:\n  coers: 2\n") ==
          "f.yaml:3:3: error: unknown key 'coers' in 'cpu' (did you mean 'cores'?)");
    CHECK(validate_error("name: a\ndisks:\n  - bus: sata\n    size_gib: 1\n    sise_gib: 2\n") ==
          "f.yaml:5:5: error: unknown key 'sise_gib' in 'disks[]' (did you mean 'size_gib'?)");
    CHECK(validate_error("name: a\nfrobnicate: 1\n") == "f.yaml:2:1: error: unknown key 'frobnicate'");
}

TEST_CASE("values are checked against the key's type, range and choices") {
    CHECK(validate_error("name: a\nmemory_mib: lots\n") == "f.yaml:2:13: error: 'memory_mib' must be an integer, got 'lots'");
    CHECK(validate_error("name: a\nmemory_mib: 8\n") == "f.yaml:2:13: error: 'memory_mib' is 8, outside 16..4194304");
    CHECK(validate_error("name: a\nmachine:\n  type: q53\n") ==
          "f.yaml:3:9: error: 'type' must be one of i440fx, q35, got 'q53' (did you mean 'q35'?)");
    CHECK(validate_error("name: a\nfirmware:\n  secure_boot: maybe\n") ==
          "f.yaml:3:16: error: 'secure_boot' must be true or false, got 'maybe'");
    CHECK(validate_error("name: a\ncpu: host\n") == "f.yaml:2:6: error: 'cpu' must be a mapping of keys");
    CHECK(validate_error("name: [a, b]\n") == "f.yaml:1:7: error: 'name' must be a string, not a list");
    CHECK(validate_error("name: a\ndisks: {bus: sata}\n") == "f.yaml:2:8: error: 'disks' must be a list");
    CHECK(validate_error("name: a\nrom_dir: roms\n") == "f.yaml:2:10: error: 'rom_dir' must be an absolute path, got 'roms'");
    CHECK(validate_error("name: a\nvmid:\n") == "f.yaml:2:1: error: key 'vmid' has no value (expected integer)");
    CHECK(validate_error("name: \"a\\nb\"\n") ==
          "f.yaml:1:7: error: 'name' contains a control character or line break, which no target can hold");
}

TEST_CASE("duplicate and missing required keys") {
    CHECK(validate_error("name: a\nvmid: 100\nvmid: 101\n") == "f.yaml:3:1: error: duplicate key 'vmid' (first at line 2)");
    CHECK(validate_error("vmid: 100\n") == "f.yaml:1:1: error: missing required key 'name'");
    CHECK(validate_error("name: a\npassthrough:\n  - host: 01:00\n") ==
          "f.yaml:3:5: error: missing required key 'profile' in 'passthrough[]'");
}

TEST_CASE("profile keys have their own table") {
    CHECK(validate_error("functions:\n  - role: gpu\n    id: 10de:1d01\n    romfile: ../../etc/passwd\n", DocKind::Profile) ==
          "f.yaml:4:14: error: 'romfile' must be a bare file name without '/', ',' or ';' (got '../../etc/passwd')");
    CHECK(validate_error("functions:\n  - role: gpu\n    id: 10de:1d01\n    legacy-igd: true\n", DocKind::Profile) ==
          "f.yaml:4:5: error: unknown key 'legacy-igd' in 'functions[]' (did you mean 'legacy_igd'?)");
}

TEST_CASE("validate_keys reports every shape problem of a file, in document order, each as key or value") {
    YAML::Node root = YAML::Load("name: vm\nmemroy: 4096\ncpu:\n  cores: many\n  sockts: 2\nmachine:\n  type: q36\nname: again\n");
    try {
        validate_keys(root, DocKind::Vm, "vm.yaml");
        FAIL("no KeyErrors");
    } catch (const KeyErrors& e) {
        std::vector<std::string> got;
        for (const auto& p : e.problems())
            got.push_back(std::string(p.kind == KeyProblemKind::Key ? "key " : "value ") + format_mark(p.diagnostic.mark) +
                          " " + p.diagnostic.message);
        CHECK(got == std::vector<std::string>{
                         "key vm.yaml:2:1 unknown key 'memroy'",
                         "value vm.yaml:4:10 'cores' must be an integer, got 'many'",
                         "key vm.yaml:5:3 unknown key 'sockts' in 'cpu' (did you mean 'sockets'?)",
                         "value vm.yaml:7:9 'type' must be one of i440fx, q35, got 'q36' (did you mean 'q35'?)",
                         "key vm.yaml:8:1 duplicate key 'name' (first at line 1)",
                     });
        // As an InputError it is the first problem, as every caller that reports one error shows.
        CHECK(e.diagnostic().str() == "vm.yaml:2:1: error: unknown key 'memroy'");
    }
}
