import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A real `taskbox serve` child process on a free loopback port.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let url: String
    let stdoutURL: URL
    let stderrURL: URL

    private init(process: Process, url: String, stdoutURL: URL, stderrURL: URL) {
        self.process = process
        self.url = url
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
    }

    /// Starts `serve --listen 127.0.0.1:0` and waits (at most `timeout`) for its ready line.
    static func start(
        db: String, arguments: [String] = [], environment: [String: String] = [:], timeout: Duration = .seconds(30),
        launcher: [String] = []
    ) async throws -> ServerProcess {
        let dir = URL(fileURLWithPath: db).deletingLastPathComponent()
        let tag = UUID().uuidString.prefix(8)
        let outURL = dir.appendingPathComponent("serve-\(tag).out")
        let errURL = dir.appendingPathComponent("serve-\(tag).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        // `launcher` runs first and execs the server (e.g. a shell that sets a limit).
        let command = launcher + [Paths.binary, "serve", "--db", db, "--listen", "127.0.0.1:0"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        var lastLook = false
        while !lastLook {
            // One more look after the deadline: a test starved of threads may wake up late.
            lastLook = ContinuousClock.now >= deadline || !process.isRunning
            let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("taskbox listening on ") }) {
                let url = String(line.dropFirst("taskbox listening on ".count))
                return ServerProcess(process: process, url: url, stdoutURL: outURL, stderrURL: errURL)
            }
            if !lastLook { try await Task.sleep(for: .milliseconds(20)) }
        }
        process.terminate()
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        throw ServerError("serve did not become ready: \(err)")
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Sends a signal and waits for the exit status; SIGKILLs after `timeout`.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            Issue.record("serve did not stop within \(timeout)")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A minimal HTTP call to a live server, bounded in time.
struct HTTPResult {
    var status: Int
    var body: String
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

func http(
    _ method: HTTPMethod, _ url: String, token: String? = nil, body: String? = nil, timeout: Int64 = 30,
    headers: [(String, String)] = []
) async throws -> HTTPResult {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let token { request.headers.add(name: "Coder-Session-Token", value: token) }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return HTTPResult(status: Int(response.status.code), body: String(buffer: bytes))
}
