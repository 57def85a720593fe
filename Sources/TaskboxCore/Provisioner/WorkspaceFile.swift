import Foundation

/// Small files serve writes into a workspace directory for its apps (the prompt, pid files).
/// They are written again on every start and mean nothing after a crash, so they are written
/// plainly: no temporary file, no fsync. Foundation's `createFile` and atomic writes fsync the
/// file, which made every build start wait on the disk (issue #19: ~5 fsyncs per build).
enum WorkspaceFile {
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let code: Int32
        var description: String { "cannot write \(path): \(String(cString: strerror(code)))" }
    }

    /// Replaces the file's content; a new file gets `mode`.
    static func write(_ text: String, to url: URL, mode: mode_t = 0o600) throws {
        let path = url.path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: path, code: errno) }
        defer { close(fd) }
        var text = text
        try text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, code: errno)
                }
                offset += written
            }
        }
    }
}
