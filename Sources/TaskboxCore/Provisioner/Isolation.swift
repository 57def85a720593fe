import Foundation

/// How app processes are separated from `serve` and from each other (`serve --isolation`;
/// README "Security model").
public enum Isolation: String, Sendable, CaseIterable {
    /// Apps run as `serve`'s user with its view of the machine; only their environment is limited.
    case none
    /// Each app runs under bubblewrap: the filesystem read-only, its workspace directory the
    /// only writable place, the database's directory (the database, other workspaces) hidden
    /// behind an empty tmpfs, a private /tmp, its own PID and IPC namespaces (so no other
    /// process, nor its environment, is visible).
    case sandbox

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The bubblewrap executable: `TASKBOX_BWRAP`, else `bwrap` on PATH.
    static func bubblewrap(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["TASKBOX_BWRAP"], !path.isEmpty { return path }
        return AppProcess.resolve("bwrap", in: URL(fileURLWithPath: "/"), path: environment["PATH"])?.path
    }

    /// Checked when `serve` starts: the sandbox works here, or the reason it does not (the
    /// exact error of bubblewrap, e.g. when user namespaces are not allowed).
    public func check(dataDirectory: URL) async throws(Unavailable) {
        guard self == .sandbox else { return }
        guard let bwrap = Self.bubblewrap() else {
            throw Unavailable(description: "--isolation sandbox needs bubblewrap (`bwrap` on PATH or TASKBOX_BWRAP); install the Debian package bubblewrap")
        }
        if dataDirectory.standardizedFileURL.path == "/" {
            throw Unavailable(description: "--isolation sandbox cannot hide a database that lies in /")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("taskbox-bwrap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let arguments = Self.arguments(workspace: URL(fileURLWithPath: "/"), dataDirectory: dataDirectory, hideData: false)
        let status: Int32?
        do {
            let probe = try ChildProcess.spawn(
                executable: bwrap, arguments: arguments + ["--", "/bin/true"], directory: "/",
                environment: AppEnvironment.base(of: ProcessInfo.processInfo.environment), output: output.path) { _ in }
            status = await probe.waitForExit(timeout: .seconds(10))
        } catch {
            throw Unavailable(description: "--isolation sandbox: cannot run \(bwrap): \(error)")
        }
        guard status == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw Unavailable(description: "--isolation sandbox: bubblewrap does not work here: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The command that runs `command` (executable already resolved) for a workspace.
    func wrap(_ command: [String], workspace: URL, dataDirectory: URL) -> [String] {
        switch self {
        case .none:
            return command
        case .sandbox:
            let bwrap = Self.bubblewrap() ?? "bwrap"
            var arguments = Self.arguments(
                workspace: workspace.resolvingSymlinksInPath(), dataDirectory: dataDirectory.resolvingSymlinksInPath(), hideData: true)
            // The app's program and taskbox's own binary (which templates run as `taskbox agent …`
            // or `$0`) stay visible, read-only, through the private /tmp when they live there
            // (a build tree under /tmp): the binary both as resolved and as `serve` was invoked,
            // since the invoked path may go through a symlink (`.build/debug`) the sandbox hides.
            let invoked = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
            var kept: Set<String> = []
            for program in [command.first, TaskboxBinary.path, invoked].compactMap({ (path: String?) in path }) where program.hasPrefix("/tmp/") {
                let directory = URL(fileURLWithPath: program).deletingLastPathComponent().path
                if kept.insert(directory).inserted { arguments += ["--ro-bind", directory, directory] }
            }
            return [bwrap] + arguments + ["--"] + command
        }
    }

    static func arguments(workspace: URL, dataDirectory: URL, hideData: Bool) -> [String] {
        var arguments = [
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--unshare-pid", "--unshare-ipc",
            "--die-with-parent",
        ]
        if hideData {
            arguments += ["--tmpfs", dataDirectory.path, "--bind", workspace.path, workspace.path, "--chdir", workspace.path]
        }
        return arguments
    }
}
