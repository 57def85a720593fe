import Foundation

/// Starting and stopping one app command: no shell, arguments as given, its own environment,
/// output appended to a log file in the workspace directory (taskbox.md §3).
enum AppProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Finds the program the way a shell would, but without one: a name with a slash is a
    /// path (relative to the workspace directory), anything else is looked up in PATH.
    static func resolve(_ program: String, in directory: URL, path: String?) -> URL? {
        let fm = FileManager.default
        if program.contains("/") {
            let url = program.hasPrefix("/") ? URL(fileURLWithPath: program) : directory.appendingPathComponent(program)
            return fm.isExecutableFile(atPath: url.path) ? url : nil
        }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(program)
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func spawn(
        command: [String], directory: URL, environment: [String: String], logFile: URL,
        isolation: Isolation = .none, dataDirectory: URL,
        onExit: @escaping @Sendable (Int32) -> Void
    ) throws -> ChildProcess {
        guard let program = command.first, let url = resolve(program, in: directory, path: environment["PATH"]) else {
            throw SpawnError(description: "cannot start app: executable \"\(command.first ?? "")\" not found")
        }
        let full = isolation.wrap([url.path] + command.dropFirst(), workspace: directory, dataDirectory: dataDirectory)
        do {
            return try ChildProcess.spawn(
                executable: full[0], arguments: Array(full.dropFirst()), directory: directory.path,
                environment: environment, output: logFile.path, onExit: onExit)
        } catch {
            throw SpawnError(description: error.description)
        }
    }

    /// The variables that mark every process an app started, also those that left its group.
    static func markers(workspaceDirectory: URL, slug: String) -> [String] {
        ["TASKBOX_WORKSPACE_DIR=\(workspaceDirectory.path)", "CODER_MCP_APP_STATUS_SLUG=\(slug)"]
    }

    /// Stops an app and everything it started, in bounded time: SIGTERM to its process group
    /// and to the processes carrying its `markers`; SIGKILL to whatever is left after `grace`.
    static func stop(_ child: ChildProcess, markers: [String], grace: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + grace
        func remaining() -> [pid_t] {
            ProcessTable.find(group: child.pid) { environ in markers.allSatisfy(environ.contains) }
        }
        child.signalGroup(SIGTERM)
        for pid in remaining() { kill(pid, SIGTERM) }
        // Our child's exit is awaited; what it started (in its group or out of it) is not our
        // child and cannot be waited for: look again until the deadline.
        _ = await child.waitForExit(timeout: grace)
        while !remaining().isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        child.signalGroup(SIGKILL)
        for pid in remaining() { kill(pid, SIGKILL) }
        if await child.waitForExit(timeout: .seconds(5)) == nil {
            // Not even SIGKILL ended it (uninterruptible sleep): the job finishes anyway.
            return
        }
        // What left the group is not our child: look until it is gone, killing again what a
        // shell forked between the look and the kill (bounded; a SIGKILLed process takes a
        // moment to leave the process table on a loaded machine).
        await killUntilGone(remaining, within: .seconds(2))
    }

    /// SIGKILL to `find()`'s processes until it finds none or `within` has passed.
    static func killUntilGone(_ find: () -> [pid_t], within: Duration) async {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            let left = find()
            if left.isEmpty { return }
            for pid in left { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Processes left running by a `serve` that was killed (children outlive it), found by
    /// the variables they inherited: SIGTERM, SIGKILL after `grace`.
    static func killStale(grace: Duration = .seconds(5), marked: @escaping ([String]) -> Bool) async {
        let stale = ProcessTable.find(marked: marked)
        guard !stale.isEmpty else { return }
        for pid in stale { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, !ProcessTable.find(marked: marked).isEmpty {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await killUntilGone({ ProcessTable.find(marked: marked) }, within: .seconds(2))
    }
}
