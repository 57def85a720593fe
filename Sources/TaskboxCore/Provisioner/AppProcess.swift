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
        onExit: @escaping @Sendable (Int32) -> Void
    ) throws -> Process {
        guard let program = command.first, let url = resolve(program, in: directory, path: environment["PATH"]) else {
            throw SpawnError(description: "cannot start app: executable \"\(command.first ?? "")\" not found")
        }
        if !FileManager.default.fileExists(atPath: logFile.path) {
            FileManager.default.createFile(atPath: logFile.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = url
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { p in
            try? log.close()
            onExit(p.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            try? log.close()
            throw SpawnError(description: "cannot start app: \(url.path): \(error.localizedDescription)")
        }
        return process
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the process has exited.
    static func stop(_ process: Process, grace: Duration = .seconds(10)) async {
        guard process.isRunning else { return }
        signal(process, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            signal(process, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// A process left running by a `serve` that was killed (children outlive it): found by
    /// its pid file and recognised by its environment, so a reused pid is left alone.
    static func killStale(pidFile: URL, environmentMarkers: [String]) async {
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
              let environ = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        else { return }
        let variables = Set(environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        guard environmentMarkers.allSatisfy(variables.contains) else { return }
        kill(pid, SIGTERM)
        for _ in 0..<250 where kill(pid, 0) == 0 { try? await Task.sleep(for: .milliseconds(20)) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: pidFile)
    }

    /// Signals the process's group when it leads one (so its children go too), else the process.
    private static func signal(_ process: Process, _ sig: Int32) {
        let pid = process.processIdentifier
        if getpgid(pid) == pid { killpg(pid, sig) } else { kill(pid, sig) }
    }
}
