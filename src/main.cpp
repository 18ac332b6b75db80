// vfiogen entry point: the one place that turns errors into messages and exit codes. Messages
// may quote file names, libvirt's replies and command-line words: control characters are escaped.
#include <iostream>

#include "cli.h"
#include "diagnostic.h"
#include "text_escape.h"

int main(int argc, char** argv) {
    using namespace vfiogen;
    try {
        return run_cli(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const InputError& e) {
        std::cerr << e.diagnostic().str() << "\n";
        return e.kind() == InputError::Kind::Unreadable ? kExitUnreadable : kExitInvalid;
    } catch (const InputErrors& e) {
        for (const auto& d : e.diagnostics()) std::cerr << d.str() << "\n";
        return kExitInvalid;
    } catch (const ServiceError& e) {
        std::cerr << "vfiogen: error: " << escape_control(e.what()) << "\n";
        return kExitService;
    } catch (const UsageError& e) {
        std::cerr << "vfiogen: error: " << escape_control(e.what()) << "\n";
        return kExitUsage;
    } catch (const OutputError& e) {
        std::cerr << "vfiogen: error: " << escape_control(e.what()) << "\n";
        return kExitOutput;
    } catch (const std::exception& e) {
        std::cerr << "vfiogen: internal error: " << escape_control(e.what()) << "\n";
        return 70;  // sysexits EX_SOFTWARE: a bug, please report it
    }
}
