#include "base/output_file.h"

#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include "base/diagnostic.h"
#include "base/strings.h"

namespace vfiogen {
namespace {

[[noreturn]] void fail(const std::string& shown, const std::string& what, int error) {
    throw OutputError(shown + ": " + what +
                      (error ? std::string(": ") + std::strerror(error) : std::string()));
}

// --- Temporary files the signal handler removes --------------------------------------------------
// A fixed table, so the handler touches only plain memory and calls only unlinkat(2), signal(2)
// and raise(3), which are async-signal-safe.
struct PendingSlot {
    volatile sig_atomic_t used;
    int dir;
    char name[NAME_MAX + 1];
};
constexpr int kSlots = 32;
PendingSlot g_pending[kSlots];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_pending_and_reraise(int sig) {
    for (auto& slot : g_pending)
        if (slot.used) unlinkat(slot.dir, slot.name, 0);
    signal(sig, SIG_DFL);
    raise(sig);
}

// Installs the handler for each signal whose disposition is not already it or SIG_IGN (nohup and
// friends ask for a signal to be ignored: keep it so). Checked at every registration, since
// something else (a test framework) may have replaced it since.
void install_handlers() {
    for (int sig : kSignals) {
        struct sigaction old {};
        sigaction(sig, nullptr, &old);
        if (old.sa_handler == SIG_IGN || old.sa_handler == remove_pending_and_reraise) continue;
        struct sigaction sa {};
        sa.sa_handler = remove_pending_and_reraise;
        sigemptyset(&sa.sa_mask);
        for (int other : kSignals) sigaddset(&sa.sa_mask, other);
        sigaction(sig, &sa, nullptr);
    }
}

int register_pending(int dir, const std::string& name) {
    install_handlers();
    for (int i = 0; i < kSlots; ++i) {
        if (g_pending[i].used) continue;
        g_pending[i].dir = dir;
        std::snprintf(g_pending[i].name, sizeof g_pending[i].name, "%s", name.c_str());
        g_pending[i].used = 1;  // last: the handler never sees a half-written slot
        return i;
    }
    return -1;  // more than kSlots files at once: still removed by the destructor, not by signals
}

void unregister_pending(int slot) {
    if (slot >= 0) g_pending[slot].used = 0;
}

// A name beside NAME that does not exist yet: ".NAME.vfiogen-XXXXXX" (NAME cut to fit NAME_MAX).
std::string hidden_name(const std::string& name, const char* what) {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string base = "." + name.substr(0, 200) + what;
    for (int i = 0; i < 6; ++i) base += digits[rng() % 36];
    return base;
}

mode_t default_mode() {
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

void write_all(int fd, const std::string& text, const std::string& shown) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(shown, "write failed", errno);
        }
        done += static_cast<size_t>(n);
    }
}

std::string basename_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Writes in place to a character device or FIFO (never creating, never truncating).
void write_in_place(const std::string& path, const std::string& text) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (!fd) fail(path, "cannot open", errno);
    write_all(fd.get(), text, path);
    if (::close(fd.release()) != 0) fail(path, "write failed", errno);
}

void refuse_inputs(const std::string& path, const struct stat& out, const std::vector<std::string>& inputs) {
    for (const auto& input : inputs) {
        struct stat in {};
        if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            throw OutputError(path + ": is " + (input == path ? "an input" : "the input " + input) +
                              " of this run: writing it would destroy what was read; choose another output");
    }
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

FileReplacement::FileReplacement(int dir, std::string name, std::string shown)
    : dir_(::fcntl(dir, F_DUPFD_CLOEXEC, 0)), name_(std::move(name)), shown_(std::move(shown)) {
    if (!dir_) fail(shown_, "cannot use its directory", errno);
    struct stat st {};
    if (::fstatat(dir_.get(), name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) fail(shown_, "cannot inspect", errno);
        return;
    }
    if (S_ISLNK(st.st_mode)) fail(shown_, "is a symlink; vfiogen does not write through links here", 0);
    if (S_ISDIR(st.st_mode)) fail(shown_, "cannot write", EISDIR);
    if (!S_ISREG(st.st_mode))
        fail(shown_, "is not a regular file (a device, FIFO or socket); refusing to replace it", 0);
    if (st.st_nlink > 1)
        fail(shown_,
             "has " + std::to_string(st.st_nlink) +
                 " hard links: replacing it would split them and writing in place would not be atomic; "
                 "write to another path, or remove the other links first",
             0);
    existed_ = true;
    old_ = {st.st_dev, st.st_ino, st.st_mode, st.st_uid, st.st_gid};
}

FileReplacement::FileReplacement(FileReplacement&& o) noexcept
    : dir_(std::move(o.dir_)),
      name_(std::move(o.name_)),
      shown_(std::move(o.shown_)),
      temp_(std::move(o.temp_)),
      old_link_(std::move(o.old_link_)),
      existed_(o.existed_),
      committed_(o.committed_),
      keep_old_link_(o.keep_old_link_),
      old_(o.old_),
      slot_(o.slot_),
      old_slot_(o.old_slot_) {
    o.temp_.clear();
    o.old_link_.clear();
    o.slot_ = o.old_slot_ = -1;
}

FileReplacement::~FileReplacement() {
    discard_temp();
    if (committed_ && !keep_old_link_ && !old_link_.empty()) ::unlinkat(dir_.get(), old_link_.c_str(), 0);
    unregister_pending(old_slot_);
}

void FileReplacement::discard_temp() noexcept {
    if (temp_.empty()) return;
    ::unlinkat(dir_.get(), temp_.c_str(), 0);
    unregister_pending(slot_);
    slot_ = -1;
    temp_.clear();
}

std::string FileReplacement::current_text() const {
    if (!existed_) return "";
    UniqueFd fd(::openat(dir_.get(), name_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) fail(shown_, "cannot read", errno);
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(shown_, "cannot read", errno);
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > (16u << 20))
            fail(shown_, "is larger than 16 MiB; not a configuration file vfiogen writes", 0);
    }
    return text;
}

void FileReplacement::stage(const std::string& text) {
    discard_temp();
    UniqueFd fd;
    for (int attempt = 0; attempt < 100 && !fd; ++attempt) {
        temp_ = hidden_name(name_, ".vfiogen-");
        fd = UniqueFd(
            ::openat(dir_.get(), temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd && errno != EEXIST) break;
    }
    if (!fd) {
        int saved = errno;
        temp_.clear();
        fail(shown_, "cannot create a temporary file beside it", saved);
    }
    slot_ = register_pending(dir_.get(), temp_);
    auto cleanup_fail = [&](const std::string& what, int error) {
        discard_temp();
        fail(shown_, what, error);
    };
    struct stat st {};
    ::fstat(fd.get(), &st);
    if (existed_ && (st.st_uid != old_.uid || st.st_gid != old_.gid) &&
        ::fchown(fd.get(), old_.uid, old_.gid) != 0)
        cleanup_fail("cannot keep its owner " + std::to_string(old_.uid) + ":" + std::to_string(old_.gid),
                     errno);
    if (::fchmod(fd.get(), existed_ ? (old_.mode & 07777) : default_mode()) != 0)
        cleanup_fail("cannot set the mode of the temporary file", errno);
    try {
        write_all(fd.get(), text, shown_);
    } catch (...) {
        discard_temp();
        throw;
    }
    if (::fsync(fd.get()) != 0) cleanup_fail("write failed", errno);
    if (::close(fd.release()) != 0) cleanup_fail("write failed", errno);
}

std::string FileReplacement::commit(const std::string& backup_suffix) {
    if (temp_.empty()) fail(shown_, "nothing staged", 0);
    if (existed_) {
        bool backup = !backup_suffix.empty();
        for (int n = 0; n < 100; ++n) {
            old_link_ = backup ? name_ + backup_suffix + (n ? "." + std::to_string(n) : "")
                               : hidden_name(name_, ".vfiogen-old-");
            if (::linkat(dir_.get(), name_.c_str(), dir_.get(), old_link_.c_str(), 0) == 0) break;
            int saved = errno;
            old_link_.clear();
            if (saved == ENOENT) break;  // removed meanwhile: nothing to keep
            // A filesystem without hard links (pmxcfs under /etc/pve, other FUSE mounts): without a
            // backup asked for, the rename alone replaces the file, as PVE's own writers do; only
            // undo() is then not possible.
            if (!backup && (saved == ENOSYS || saved == EPERM || saved == EOPNOTSUPP || saved == EMLINK)) break;
            if (saved != EEXIST) {
                discard_temp();
                fail(shown_, "cannot keep the old file", saved);
            }
        }
        keep_old_link_ = backup && !old_link_.empty();
        if (!keep_old_link_ && !old_link_.empty()) old_slot_ = register_pending(dir_.get(), old_link_);
    }
    if (::renameat(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str()) != 0) {
        int saved = errno;
        if (!old_link_.empty()) ::unlinkat(dir_.get(), old_link_.c_str(), 0);
        old_link_.clear();
        unregister_pending(old_slot_);
        old_slot_ = -1;
        discard_temp();
        fail(shown_, "cannot replace", saved);
    }
    unregister_pending(slot_);
    slot_ = -1;
    temp_.clear();
    committed_ = true;
    ::fsync(dir_.get());  // the rename itself on disk; a directory that cannot be synced is still written
    return keep_old_link_ ? old_link_ : std::string();
}

bool FileReplacement::undo() {
    if (!committed_) return true;
    if (existed_ && old_link_.empty()) return false;  // no link to the old file (no hard links there): keep the new one
    bool ok = old_link_.empty() ? ::unlinkat(dir_.get(), name_.c_str(), 0) == 0
                                : ::renameat(dir_.get(), old_link_.c_str(), dir_.get(), name_.c_str()) == 0;
    if (ok) {
        old_link_.clear();
        committed_ = false;
        unregister_pending(old_slot_);
        old_slot_ = -1;
    }
    return ok;
}

void write_output(const std::string& path, const std::string& text, const OutputOptions& options) {
    if (path == "-") {
        std::cout << text << std::flush;
        if (!std::cout) fail("standard output", "write failed", errno);
        return;
    }
    if (path.empty()) throw UsageError("-o: the output path is empty (use '-' for standard output)");
    std::string target = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {  // follows symlinks: st is what a write would reach
        refuse_inputs(path, st, options.inputs);
        if (S_ISDIR(st.st_mode)) fail(path, "cannot write", EISDIR);
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return write_in_place(path, text);
        if (S_ISBLK(st.st_mode)) fail(path, "is a block device: vfiogen never writes over a disk", 0);
        if (!S_ISREG(st.st_mode)) fail(path, "is not a regular file; refusing to replace it", 0);
        if (!options.replace) fail(path, "exists; add --force to replace it", 0);
        char resolved[PATH_MAX];
        if (!::realpath(path.c_str(), resolved)) fail(path, "cannot resolve", errno);
        target = resolved;  // a symlink is written through: its target is replaced in its own directory
    } else if (errno == ENOENT) {
        struct stat symlink {};
        if (::lstat(path.c_str(), &symlink) == 0)
            fail(path, "is a symlink to a missing file; refusing to create a file wherever it points", 0);
    } else {
        fail(path, "cannot write", errno);
    }
    std::string name = basename_of(target);
    if (name.empty() || name == "." || name == "..") fail(path, "cannot write", EISDIR);
    std::string dir = dirname_of(target);
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) fail(path, "cannot open its directory " + dir, errno);
    FileReplacement file(dir_fd.get(), name, path);
    file.stage(text);
    file.commit();
}

namespace {

// Splits a relative path into its components; refuses "", ".", ".." and absolute paths.
std::vector<std::string> components(const std::string& root, const std::string& relative) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= relative.size()) {
        size_t slash = relative.find('/', start);
        if (slash == std::string::npos) slash = relative.size();
        std::string part = relative.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..")
            fail(root + "/" + relative, "is not a plain path below " + root, 0);
        parts.push_back(part);
        start = slash + 1;
    }
    return parts;
}

// Opens directory `name` in `dir` without following a symlink, creating it when missing.
UniqueFd open_subdir(int dir, const std::string& name, const std::string& shown, const std::string& root) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd) return fd;
        int saved = errno;
        struct stat st {};
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
            fail(shown, "is a symlink; vfiogen writes only inside " + root +
                            ", never through links: remove it or choose another directory",
                 0);
        if (saved != ENOENT) fail(shown, "cannot open directory", saved);
        if (::mkdirat(dir, name.c_str(), 0755) != 0 && errno != EEXIST) fail(shown, "cannot create directory", errno);
    }
    fail(shown, "cannot open directory", errno);
}

}  // namespace

StagedTree::StagedTree(const std::string& root, const std::vector<TreeFile>& files, std::string marker) {
    if (root.empty()) throw UsageError("-o: the output directory is empty");
    UniqueFd top(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::error_code ec;
    if (!top && errno == ENOENT && std::filesystem::create_directories(root, ec))
        top = UniqueFd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!top) fail(root, "cannot open directory", errno);
    std::string base = root == "/" ? "" : root;
    for (const auto& f : files) {
        std::vector<std::string> parts = components(root, f.path);
        UniqueFd dir(::fcntl(top.get(), F_DUPFD_CLOEXEC, 0));
        std::string shown = base;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            shown += "/" + parts[i];
            dir = open_subdir(dir.get(), parts[i], shown, root);
        }
        shown += "/" + parts.back();
        Entry e{shown, FileReplacement(dir.get(), parts.back(), shown), false};
        if (e.file->exists()) {
            std::string old = e.file->current_text();
            if (old == f.text) e.file.reset();
            else e.foreign = old.find(marker) == std::string::npos;
        }
        if (e.file) e.file->stage(f.text);
        entries_.push_back(std::move(e));
    }
}

namespace {

// Holds SIGINT, SIGTERM and SIGHUP while it lives (they are delivered when it ends).
class HeldSignals {
public:
    HeldSignals() {
        sigset_t set;
        sigemptyset(&set);
        for (int sig : kSignals) sigaddset(&set, sig);
        sigprocmask(SIG_BLOCK, &set, &old_);
    }
    ~HeldSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
    HeldSignals(const HeldSignals&) = delete;
    HeldSignals& operator=(const HeldSignals&) = delete;

private:
    sigset_t old_;
};

}  // namespace

std::vector<TreeWrite> StagedTree::commit() {
    HeldSignals held;  // the tree is never left half replaced by a signal
    std::vector<TreeWrite> done;
    for (size_t i = 0; i < entries_.size(); ++i) {
        Entry& e = entries_[i];
        if (!e.file) {
            done.push_back({e.shown, TreeWrite::Change::Unchanged, ""});
            continue;
        }
        try {
            bool existed = e.file->exists();
            std::string backup = e.file->commit(e.foreign ? ".vfiogen-old" : "");
            if (!backup.empty()) backup = e.shown.substr(0, e.shown.rfind('/') + 1) + backup;
            done.push_back({e.shown, existed ? TreeWrite::Change::Replaced : TreeWrite::Change::Created, backup});
        } catch (const OutputError& error) {
            std::string undone;
            for (size_t j = i; j-- > 0;) {
                if (entries_[j].file && !entries_[j].file->undo()) undone += " " + entries_[j].shown;
            }
            throw OutputError(std::string(error.what()) +
                              (undone.empty() ? "; every file written before it was put back, nothing changed"
                                              : "; could not put back:" + undone));
        }
    }
    return done;
}

}  // namespace vfiogen
