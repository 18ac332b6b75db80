// Locations in user input, the messages about them, and the errors that carry them.
//
// One error mechanism for the whole program: library code throws InputError (bad input,
// with a Mark), UsageError (bad command line) or OutputError (cannot write the result);
// main() catches them once and maps them to the exit codes below (documented in README.md).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace vfiogen {

// Exit codes of every vfiogen command (README "Exit codes").
enum ExitCode : int {
    kExitOk = 0,
    kExitInvalid = 1,     // input was read but breaks a rule (unknown key, target rule, ...)
    kExitUnreadable = 2,  // input could not be read or parsed at all (missing, YAML syntax, binary)
    kExitUsage = 64,      // bad command line (sysexits EX_USAGE)
    kExitService = 69,    // libvirt could not be reached or refused a request (sysexits EX_UNAVAILABLE)
    kExitOutput = 74,     // the output file could not be written (sysexits EX_IOERR)
};

// A position in an input file. line and column are 1-based; 0 means "unknown", and the
// rendering then omits them (a whole-file problem such as "empty file").
struct Mark {
    std::string file;
    int line = 0;
    int column = 0;
};

enum class Severity { Error, Warning, Note };

// One message about user input: rendered as "file:line:col: severity: message", with control
// characters in the file name and the message escaped (text_escape.h escape_control).
struct Diagnostic {
    Mark mark;
    Severity severity = Severity::Error;
    std::string message;

    std::string str() const;
};

std::string format_mark(const Mark& mark);

// Bad input: a rule was broken (kind Invalid) or the file could not be parsed (kind Unreadable).
class InputError : public std::runtime_error {
public:
    enum class Kind { Invalid, Unreadable };
    InputError(Mark mark, std::string message, Kind kind = Kind::Invalid);

    const Diagnostic& diagnostic() const { return diagnostic_; }
    Kind kind() const { return kind_; }

private:
    Diagnostic diagnostic_;
    Kind kind_;
};

// Several rule violations found together (preflight checks); each is printed, exit 1.
class InputErrors : public std::runtime_error {
public:
    explicit InputErrors(std::vector<Diagnostic> diagnostics)
        : std::runtime_error("input errors"), diagnostics_(std::move(diagnostics)) {}
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
};

// libvirt failed or refused a request; the message says what vfiogen was doing and on which URI,
// then libvirt's own message and error code ("define 'win10' on qemu:///system: ...").
class ServiceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad command line; the message is shown after "vfiogen: error: ".
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The result could not be written (the input was fine).
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Warnings gathered while loading or rendering; printed to stderr, never fatal.
using Warnings = std::vector<Diagnostic>;

}  // namespace vfiogen
