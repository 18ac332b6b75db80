#include "output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnostic.h"

namespace vfiogen {

void write_output(const std::string& path, const std::string& text) {
    if (path.empty() || path == "-") {
        std::cout << text << std::flush;
        if (!std::cout) throw OutputError("cannot write to standard output");
        return;
    }
    auto fail = [&](const std::string& what) { throw OutputError(path + ": " + what + ": " + std::strerror(errno)); };
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        fail("cannot write");
    }
    std::string tmp = path + ".tmp.XXXXXX";
    int fd = mkstemp(tmp.data());
    if (fd < 0) fail("cannot create a temporary file beside it");
    // mkstemp makes 0600 files; give the result the usual mode (0666 less the umask).
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            unlink(tmp.c_str());
            errno = saved;
            fail("write failed");
        }
        done += static_cast<size_t>(n);
    }
    bool synced = fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && synced) {
        synced = false;
        saved = errno;
    }
    if (!synced) {
        unlink(tmp.c_str());
        errno = saved;
        fail("write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        saved = errno;
        unlink(tmp.c_str());
        errno = saved;
        fail("cannot replace");
    }
}

}  // namespace vfiogen
