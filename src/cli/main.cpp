// vfiogen entry point: the one place that turns errors into messages and exit codes, and the one
// place that makes sure what the commands printed really reached standard output. Messages may
// quote file names, libvirt's replies and command-line words: control characters are escaped. An
// error about a place in a file shows that line with a caret under the column.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "model/keys.h"
#include "base/diagnostic.h"
#include "base/source_excerpt.h"
#include "base/text_escape.h"
#include "cli/cli.h"

namespace {

// Flushes std::cout and the C stdout under it. Returns 0 when everything printed was written,
// else the errno of the failure (-1 when the stream failed earlier and the reason is gone): a full disk or
// `> /dev/full` must not pass for success with the report lost.
int flush_stdout() {
    errno = 0;
    std::cout.flush();
    int error = std::cout.good() ? 0 : (errno ? errno : -1);
    if (std::fflush(stdout) != 0 && !error) error = errno ? errno : -1;
    if (std::ferror(stdout) && !error) error = -1;
    return error;
}

int run(int argc, char** argv) {
    using namespace vfiogen;
    try {
        return run_cli(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const KeyErrors& e) {  // every shape error of the file, not only the first
        SourceExcerpts excerpts;
        for (const auto& p : e.problems()) std::cerr << p.diagnostic.str() << "\n" << excerpts.of(p.diagnostic.mark);
        return kExitInvalid;
    } catch (const InputError& e) {
        std::cerr << e.diagnostic().str() << "\n" << SourceExcerpts().of(e.diagnostic().mark);
        return e.kind() == InputError::Kind::Unreadable ? kExitUnreadable : kExitInvalid;
    } catch (const InputErrors& e) {
        SourceExcerpts excerpts;
        for (const auto& d : e.diagnostics()) std::cerr << d.str() << "\n" << excerpts.of(d.mark);
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

}  // namespace

int main(int argc, char** argv) {
    int rc = run(argc, argv);
    // Every command's output, checked once here: a command that ran (exit 0 or 1, findings) but
    // whose output was lost exits 74; an error exit keeps its own code.
    if (int error = flush_stdout(); error && (rc == vfiogen::kExitOk || rc == vfiogen::kExitInvalid)) {
        std::cerr << "vfiogen: error: standard output: write failed"
                  << (error > 0 ? std::string(": ") + std::strerror(error) : "") << "\n";
        return vfiogen::kExitOutput;
    }
    return rc;
}
