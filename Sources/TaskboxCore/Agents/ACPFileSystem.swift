import Foundation

/// `fs/read_text_file` and `fs/write_text_file` for an ACP agent, inside the working
/// directory only (agents.md §6, §8): a path is judged by its resolved real path (`..` and
/// symlinks resolved), so neither `../x` nor a symlink pointing out gets through.
struct ACPFileSystem: Sendable {
    /// The working directory's own real path.
    let root: String

    init(workingDirectory: URL) {
        root = Self.realPath(workingDirectory.path) ?? workingDirectory.standardizedFileURL.path
    }

    func read(_ params: GoJSON) -> Result<GoJSON, JSONRPCConnection.RemoteError> {
        guard let path = params["path"]?.stringValue else { return .failure(.invalidParams("path is required")) }
        guard let real = Self.realPath(absolute(path)), inside(real) else { return .failure(outside(path)) }
        guard let data = FileManager.default.contents(atPath: real) else {
            return .failure(JSONRPCConnection.RemoteError(code: -32002, message: "Resource not found: \(path)"))
        }
        var text = String(decoding: data, as: UTF8.self)
        // ACP's optional window: `line` is 1-based, `limit` counts lines.
        let line = params["line"]?.numberValue.map { Int($0) }
        let limit = params["limit"]?.numberValue.map { Int($0) }
        if line != nil || limit != nil {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let start = max(0, (line ?? 1) - 1)
            let end = limit.map { min(lines.count, start + max(0, $0)) } ?? lines.count
            text = start < end ? lines[start..<end].joined(separator: "\n") : ""
        }
        return .success(.object([(key: "content", value: .string(text))]))
    }

    func write(_ params: GoJSON) -> Result<GoJSON, JSONRPCConnection.RemoteError> {
        guard let path = params["path"]?.stringValue, let content = params["content"]?.stringValue else {
            return .failure(.invalidParams("path and content are required"))
        }
        let target = absolute(path)
        // An existing file (or symlink) is judged by where it really is; a new one by the
        // real path of its nearest existing ancestor.
        let judged: String?
        if FileManager.default.fileExists(atPath: target) || (try? FileManager.default.destinationOfSymbolicLink(atPath: target)) != nil {
            judged = Self.realPath(target)
        } else {
            var ancestor = (target as NSString).deletingLastPathComponent
            while !FileManager.default.fileExists(atPath: ancestor) && ancestor != "/" {
                ancestor = (ancestor as NSString).deletingLastPathComponent
            }
            let rest = String(target.dropFirst(ancestor.count))
            judged = Self.realPath(ancestor).map { $0 + rest }
        }
        guard let real = judged, inside(real), !real.split(separator: "/").contains("..") else { return .failure(outside(path)) }
        do {
            try FileManager.default.createDirectory(
                atPath: (real as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: real), options: .atomic)
        } catch {
            return .failure(JSONRPCConnection.RemoteError(code: -32603, message: "Internal error: cannot write \(path): \(error.localizedDescription)"))
        }
        return .success(.null)
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : root + "/" + path
    }

    private func inside(_ real: String) -> Bool {
        real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    private func outside(_ path: String) -> JSONRPCConnection.RemoteError {
        JSONRPCConnection.RemoteError(code: -32602, message: "Invalid params: \(path) is outside the working directory")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
