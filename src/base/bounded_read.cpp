#include "base/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <istream>

#include "base/diagnostic.h"

namespace vfiogen {

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
namespace {

InputError unreadable(const std::string& path, const std::string& message) {
    return InputError(Mark{path, 0, 0}, message, InputError::Kind::Unreadable);
}

const char* file_type_name(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

// Closes the descriptor however the read ends.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string too_large(size_t limit) { return "file too large (over " + std::to_string(limit) + " bytes)"; }

// Reads an open regular file to its end or past `limit`; nothing on a read error (errno set).
std::optional<std::string> read_open_file(int fd, const std::string& path, size_t limit, Excess excess) {
    std::string out;
    char buffer[65536];
    while (out.size() <= limit) {
        size_t want = std::min(sizeof buffer, limit + 1 - out.size());
        ssize_t n = ::read(fd, buffer, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) return out;
        out.append(buffer, static_cast<size_t>(n));
    }
    if (excess == Excess::Refuse) throw unreadable(path, too_large(limit));
    out.resize(limit);
    return out;
}

// The open, checked descriptor of `name` relative to `dirfd` (AT_FDCWD: the working directory),
// or -1 with errno from open(2); `path` names it in errors.
int open_regular_at(int dirfd, const char* name, const std::string& path) {
    // stat first, so a device is never opened (opening some devices has effects); fstat after,
    // so a file swapped for a FIFO in between is refused too.
    struct stat st {};
    if (::fstatat(dirfd, name, &st, 0) != 0) return -1;
    auto refuse = [&](mode_t mode) {
        if (S_ISDIR(mode)) throw unreadable(path, "is a directory, expected a file");
        if (!S_ISREG(mode))
            throw unreadable(path, std::string("not a regular file (") + file_type_name(mode) + ")");
    };
    refuse(st.st_mode);
    int fd = ::openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (::fstat(fd, &st) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    try {
        refuse(st.st_mode);
    } catch (...) {
        ::close(fd);
        throw;
    }
    return fd;
}

int open_regular(const std::string& path) { return open_regular_at(AT_FDCWD, path.c_str(), path); }

}  // namespace

DirectoryHandle::DirectoryHandle(std::string path)
    : path_(std::move(path)), fd_(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {}

DirectoryHandle::~DirectoryHandle() {
    if (fd_ >= 0) ::close(fd_);
}

std::string DirectoryHandle::path_of(const std::string& name) const {
    return path_.empty() || path_.back() == '/' ? path_ + name : path_ + "/" + name;
}

std::optional<std::string> DirectoryHandle::read_file_if_present(const std::string& name, size_t limit,
                                                                 Excess excess) const {
    if (fd_ < 0 || name.find('/') != std::string::npos) return std::nullopt;
    std::string path = path_of(name);
    Fd f{open_regular_at(fd_, name.c_str(), path)};
    if (f.fd < 0) return std::nullopt;
    return read_open_file(f.fd, path, limit, excess);
}

std::string DirectoryHandle::link_target(const std::string& name) const {
    if (fd_ < 0 || name.find('/') != std::string::npos) return "";
    char buffer[4096];
    ssize_t n = ::readlinkat(fd_, name.c_str(), buffer, sizeof buffer);
    if (n <= 0 || static_cast<size_t>(n) == sizeof buffer) return "";
    return std::string(buffer, static_cast<size_t>(n));
}

std::string read_regular_file(const std::string& path, size_t limit, Excess excess) {
    Fd f{open_regular(path)};
    if (f.fd < 0) throw unreadable(path, std::string("cannot open: ") + std::strerror(errno));
    auto text = read_open_file(f.fd, path, limit, excess);
    if (!text) throw unreadable(path, std::string("cannot read: ") + std::strerror(errno));
    return *text;
}

std::optional<std::string> read_regular_file_if_present(const std::string& path, size_t limit,
                                                        Excess excess) {
    Fd f{open_regular(path)};
    if (f.fd < 0) return std::nullopt;
    return read_open_file(f.fd, path, limit, excess);
}

std::string read_bounded_stream(std::istream& in, const std::string& label, size_t limit) {
    std::string out;
    char buffer[65536];
    while (out.size() <= limit && in) {
        in.read(buffer, static_cast<std::streamsize>(std::min(sizeof buffer, limit + 1 - out.size())));
        out.append(buffer, static_cast<size_t>(in.gcount()));
    }
    if (out.size() > limit)
        throw InputError(Mark{label, 0, 0}, "input too large (over " + std::to_string(limit) + " bytes)",
                         InputError::Kind::Unreadable);
    return out;
}

}  // namespace vfiogen
