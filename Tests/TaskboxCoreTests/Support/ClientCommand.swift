import Foundation
import Testing

/// The client commands (`login`, `task …`) run as the real binary without `--db`: they reach
/// the server over HTTP only. Every run has its own config directory and a fixed width, and
/// never sees the developer's own `TASKBOX_URL`/`TASKBOX_TOKEN`.
struct ClientEnvironment {
    let configDir: URL
    var variables: [String: String]

    init(dir: TestDirectory, url: String = "", token: String = "") {
        configDir = dir.url.appendingPathComponent("config")
        variables = ["TASKBOX_CONFIG_DIR": configDir.path, "TASKBOX_URL": url, "TASKBOX_TOKEN": token, "COLUMNS": "100"]
    }

    func with(_ overrides: [String: String]) -> ClientEnvironment {
        var copy = self
        copy.variables.merge(overrides) { $1 }
        return copy
    }
}

/// A `taskbox` client process running in the background, its output in files.
final class ClientProcess: @unchecked Sendable {
    let process: Process
    let arguments: [String]
    private let outURL: URL
    private let errURL: URL
    private var inURL: URL?

    /// Starts `taskbox ARGS`; stdin is `input` when given, else the null device, or the
    /// pseudo-terminal `terminal` when given.
    init(_ arguments: [String], environment: ClientEnvironment, input: String? = nil, terminal: Int32? = nil) throws {
        self.arguments = arguments
        let dir = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString
        outURL = dir.appendingPathComponent("taskbox-client-\(tag).out")
        errURL = dir.appendingPathComponent("taskbox-client-\(tag).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.variables) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let terminal {
            process.standardInput = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        } else if let input {
            let inURL = dir.appendingPathComponent("taskbox-client-\(tag).in")
            _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(input.utf8))
            process.standardInput = try FileHandle(forReadingFrom: inURL)
            self.inURL = inURL
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Waits for the exit; past `timeout` it records an issue, kills the process and returns nil.
    func exit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            Issue.record("taskbox \(arguments) still running after \(timeout)")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// Waits (bounded) until stdout satisfies `condition`; false when it never does.
    func waitForOutput(within timeout: Duration, _ condition: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(stdout) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(stdout)
    }

    func result() -> CommandResult { CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        if let inURL { try? FileManager.default.removeItem(at: inURL) }
    }
}

/// Runs a client command to its end (bounded), without `--db`.
func runClient(
    _ arguments: [String], environment: ClientEnvironment, input: String? = nil, timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    let process = try ClientProcess(arguments, environment: environment, input: input)
    _ = await process.exit(within: timeout)
    return process.result()
}

/// A pseudo-terminal, so a test can be the user who answers a prompt on stdin.
final class PseudoTerminal: @unchecked Sendable {
    let controller: Int32
    let device: Int32

    init() throws {
        var controller: Int32 = -1
        var device: Int32 = -1
        guard openpty(&controller, &device, nil, nil, nil) == 0 else { throw ServerError("openpty failed: errno \(errno)") }
        self.controller = controller
        self.device = device
    }

    func type(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(controller, $0.baseAddress, text.utf8.count) }
    }

    deinit {
        close(device)
        close(controller)
    }
}

/// What `serve --demo` printed: the admin's token and the echo template's version.
struct DemoServer {
    let server: ServerProcess
    let token: String
    let versionID: String
    var url: String { server.url }

    static func start(dir: TestDirectory, arguments: [String] = []) async throws -> DemoServer {
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--demo"] + arguments)
        var stdout = server.stdout
        let deadline = ContinuousClock.now + .seconds(10)
        while !stdout.contains("/logs") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            stdout = server.stdout
        }
        let lines = stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let tokenLine = try #require(lines.firstIndex { $0.hasPrefix("taskbox demo ready.") })
        let version = try #require(stdout.range(of: #""template_version_id":"([0-9a-f-]{36})""#, options: .regularExpression))
        return DemoServer(server: server, token: lines[tokenLine + 1], versionID: String(stdout[version].dropFirst(23).dropLast()))
    }
}
