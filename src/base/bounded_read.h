// Reading input files and streams within bounds: regular files only, never blocking, at most a
// given number of bytes. Every input vfiogen reads goes through here, so a FIFO, a device node or
// an endless stream (a host tree captured elsewhere, `/dev/zero` given as a VM file, stdin) ends in
// an error naming the path instead of a hang or an exhausted memory.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

namespace vfiogen {

// Largest input file accepted (4 MiB): a VM file, profile, conf or domain XML is a few KiB.
constexpr size_t kMaxInputBytes = 4u << 20;

// Largest sysfs or procfs file read from a host tree (1 MiB): /proc/cpuinfo of a 512-thread host
// is about 800 KiB; every sysfs attribute vfiogen reads is one line.
constexpr size_t kMaxHostFileBytes = 1u << 20;

// What happens to the bytes after `limit`.
enum class Excess {
    Refuse,    // the whole file or nothing: InputError "file too large"
    Truncate,  // the first `limit` bytes (a ROM's signature, the first line of a file)
};

// Whether `path` (symlinks followed) is a regular file: not missing, a directory, a FIFO or a
// device. For existence checks only; reading goes through read_regular_file, which checks the
// open descriptor itself.
bool is_regular_file(const std::string& path);

// Whether anything is at `path` (symlinks followed: a dangling link is nothing), and whether it
// is a directory. For existence checks only, never an error.
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

// Reads the file at `path` (symlinks followed), at most `limit` bytes. The file is opened with
// O_NONBLOCK, and fstat on the open descriptor must show a regular file, so a FIFO or a device
// neither blocks nor is read. Throws InputError (kind Unreadable) at Mark{path}: "cannot open:
// <errno text>", "is a directory, expected a file", "not a regular file (a FIFO)" (or a
// character device, ...), "file too large (over N bytes)", "cannot read: <errno text>".
std::string read_regular_file(const std::string& path, size_t limit, Excess excess = Excess::Refuse);

// As read_regular_file, but nothing when the file does not exist or cannot be opened or read
// (ENOENT, EACCES, EIO, ...), the way a sysfs attribute that a kernel or device lacks reads. A
// file that exists but is not regular, or is too large, still throws.
std::optional<std::string> read_regular_file_if_present(const std::string& path, size_t limit,
                                                        Excess excess = Excess::Refuse);

// A directory opened once (O_PATH) to read many files in it: each read walks one name instead of
// the whole path (a sysfs device directory is reached through symlinks; host scan reads seven
// attributes of each of hundreds of functions). A directory that cannot be opened reads as empty.
class DirectoryHandle {
public:
    explicit DirectoryHandle(std::string path);
    ~DirectoryHandle();
    DirectoryHandle(const DirectoryHandle&) = delete;
    DirectoryHandle& operator=(const DirectoryHandle&) = delete;

    // "DIR/name", as errors name it.
    std::string path_of(const std::string& name) const;
    // read_regular_file_if_present for the file `name` (one component, no '/') in this directory.
    std::optional<std::string> read_file_if_present(const std::string& name, size_t limit,
                                                    Excess excess = Excess::Refuse) const;
    // The target of the symlink `name`, not followed ("../../bus/pci/drivers/vfio-pci"); "" when
    // it is no symlink, is missing, or its target is 4 KiB or longer.
    std::string link_target(const std::string& name) const;

private:
    std::string path_;
    int fd_;
};

// Reads `in` (standard input) to its end, at most `limit` bytes. Throws InputError (Unreadable) at
// Mark{label}: "input too large (over N bytes)" as soon as byte N+1 arrives, without reading on,
// so `vfiogen render - < /dev/zero` stops at once.
std::string read_bounded_stream(std::istream& in, const std::string& label, size_t limit = kMaxInputBytes);

}  // namespace vfiogen
