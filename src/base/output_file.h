// Writing results: to stdout, or to a file replaced atomically so a failure (or a signal) never
// leaves a partial or changed file behind, through a symlink to its target, in place on a
// character device, and never over a file that is one of the inputs.
//
// Two layers: write_output() is what `-o PATH` means for every command; FileReplacement is the
// primitive under it (one file in a directory held open), reusable by anything that must replace
// files atomically (`host config -o DIR` replaces several and rolls them back together).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vfiogen {

// An open file descriptor, closed once.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return fd_; }
    int release();
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// One regular file `name` in the directory `dir` replaced atomically: stage() writes the new text
// to a temporary file beside it (".NAME.vfiogen-XXXXXX", fsync'ed, with the existing file's mode
// and owner, or 0666 less the umask for a new file), commit() renames it over NAME. Until commit,
// NAME is untouched; the temporary file is removed by the destructor, and by SIGINT, SIGTERM or
// SIGHUP arriving in between (the handler unlinks it and re-raises the signal).
//
// With keep_old, commit() first hard-links the existing file to a free name (see keep_old) so
// undo() can put it back and the caller can keep it as a backup.
//
// Refuses (OutputError naming `shown`) a NAME that is a symlink, a directory, a device, a FIFO,
// or a regular file with more than one hard link (replacing it would split the links; writing in
// place would not be atomic). `shown` is the path used in messages.
class FileReplacement {
  public:
    // `dir` is duplicated; the caller keeps its own descriptor.
    FileReplacement(int dir, std::string name, std::string shown);
    FileReplacement(FileReplacement&&) noexcept;
    FileReplacement& operator=(FileReplacement&&) = delete;
    FileReplacement(const FileReplacement&) = delete;
    ~FileReplacement();

    // Whether NAME exists now, and its text (for a diff or "unchanged"); up to 16 MiB.
    bool exists() const { return existed_; }
    std::string current_text() const;

    // Writes `text` to the temporary file. Throws OutputError (write, sync, chown errors).
    void stage(const std::string& text);

    // Renames the staged file over NAME. With `backup_suffix` (e.g. ".vfiogen-old") and an
    // existing NAME, the old file first gets a second name NAME + backup_suffix (or + ".1", ".2",
    // ... when taken), returned; otherwise the old file is kept under a hidden name only until
    // the caller is done (undo() or the destructor), where the filesystem has hard links (pmxcfs,
    // the /etc/pve FUSE filesystem, has none: there the rename alone replaces it and undo() cannot
    // put it back). Throws OutputError.
    std::string commit(const std::string& backup_suffix = "");

    // After commit(): puts the old file back (or removes NAME when there was none). Best effort,
    // for rollback; returns false when it could not.
    bool undo();

    const std::string& shown() const { return shown_; }

  private:
    void discard_temp() noexcept;
    UniqueFd dir_;
    std::string name_, shown_, temp_, old_link_;
    bool existed_ = false, committed_ = false, keep_old_link_ = false;
    struct stat_id {
        dev_t dev = 0;
        ino_t ino = 0;
        mode_t mode = 0;
        uid_t uid = 0;
        gid_t gid = 0;
    } old_;
    int slot_ = -1;      // the signal handler's slot for temp_
    int old_slot_ = -1;  // and for the hidden old link kept for undo()
};

// Writes `text` to `path`; "-" writes to stdout. `path`:
// - a regular file or a new name: replaced atomically (FileReplacement), keeping mode and owner;
// - a symlink: its final target is replaced the same way, in the target's directory (a dangling
//   symlink is refused);
// - a character device or FIFO (/dev/null, /dev/stdout, a pipe): written in place;
// - a directory, a block device, a socket, a file with several hard links: refused.
// `inputs` are files this run read (VM file, profiles, templates): an output that is the same
// file (st_dev and st_ino) is refused before anything is written. With `replace` false an
// existing regular file is refused ("add --force"). Throws OutputError ("PATH: what: strerror");
// the caller's main maps it to exit 74.
struct OutputOptions {
    std::vector<std::string> inputs;
    bool replace = true;
};
void write_output(const std::string& path, const std::string& text, const OutputOptions& options = {});

// One file of a tree: `path` relative to the tree's root ("etc/modprobe.d/vfio.conf").
struct TreeFile {
    std::string path;
    std::string text;
};

// What happened to one TreeFile: shown path, change, and where a replaced foreign file was kept.
struct TreeWrite {
    enum class Change { Created, Replaced, Unchanged };
    std::string path;    // root + "/" + TreeFile::path
    Change change = Change::Created;
    std::string backup;  // non-empty: the previous file, kept under this path
};

// Several files under one directory, written all together or not at all (`host config -o DIR`).
//
// The constructor opens `root` (a symlink in the root path itself is followed: the user named it),
// then every directory below it with O_NOFOLLOW, creating missing ones (0755), and refuses a
// symlink anywhere below root: OutputError "ROOT/etc: is a symlink; ...". It then stages every file
// (FileReplacement) whose text differs from what is there; nothing visible has changed yet.
// commit() renames them over their targets in order, with SIGINT, SIGTERM and SIGHUP held until
// all are in place or put back (a signal then removes only leftovers); an existing file that does not contain
// `marker` (a file vfiogen did not write) is first kept as NAME.vfiogen-old (".1", ".2", ... when
// taken); if any rename fails, every file already replaced is put back and OutputError is thrown.
// Directories created on the way are left (empty).
class StagedTree {
public:
    StagedTree(const std::string& root, const std::vector<TreeFile>& files, std::string marker);
    std::vector<TreeWrite> commit();

private:
    struct Entry {
        std::string shown;
        std::optional<FileReplacement> file;  // empty: unchanged
        bool foreign = false;
    };
    std::vector<Entry> entries_;
};

}  // namespace vfiogen
