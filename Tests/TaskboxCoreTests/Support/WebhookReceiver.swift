import Foundation
import Testing

/// `Tests/webhooks/receiver.py` as a child process on loopback: it verifies every delivery
/// with the PyPI library `standardwebhooks` and logs it. The Python comes from
/// `TASKBOX_WEBHOOK_PYTHON` or `.venv/bin/python` (both set up by `.ci/run`).
final class WebhookReceiver: @unchecked Sendable {
    struct Record: Sendable {
        var name: String
        var id: String
        var verified: Bool
        var error: String?
        var status: Int
        var attempt: Int
        var receivedAt: Double
        var body: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bodyText.utf8))) as? [String: Any] ?? [:] }
        var bodyText: String
        var type: String { body["type"] as? String ?? "" }
    }

    let process: Process
    let port: Int
    let logURL: URL

    static var python: String {
        if let path = ProcessInfo.processInfo.environment["TASKBOX_WEBHOOK_PYTHON"], !path.isEmpty { return path }
        return Paths.repoRoot.appendingPathComponent(".venv/bin/python").path
    }

    init(dir: TestDirectory, port: Int = 0) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw ServerError("no Python with standardwebhooks at \(Self.python): run .ci/run (or set TASKBOX_WEBHOOK_PYTHON)")
        }
        let tag = UUID().uuidString.prefix(8)
        let ready = dir.url.appendingPathComponent("receiver-\(tag).port")
        logURL = dir.url.appendingPathComponent("receiver-\(tag).jsonl")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Paths.repoRoot.appendingPathComponent("Tests/webhooks/receiver.py").path,
                             "--ready-file", ready.path, "--log", logURL.path, "--port", String(port)]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logURL.appendingPathExtension("err").creatingEmpty())
        try process.run()
        // Generous: under the full suite the 2 cores are shared by dozens of processes.
        let deadline = ContinuousClock.now + .seconds(60)
        var found: Int?
        while ContinuousClock.now < deadline && process.isRunning {
            if let text = try? String(contentsOf: ready, encoding: .utf8), let value = Int(text) { found = value; break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let err = (try? String(contentsOf: logURL.appendingPathExtension("err"), encoding: .utf8)) ?? ""
            throw ServerError("webhook receiver did not start: \(err)")
        }
        self.port = found
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/hooks/\(name)" }

    func register(_ name: String, secret: String) async throws {
        #expect(try await http(.POST, "http://127.0.0.1:\(port)/secrets/\(name)", body: secret, timeout: 5).status == 204)
    }

    func setBehaviour(_ name: String, _ behaviour: String) async throws {
        #expect(try await http(.POST, "http://127.0.0.1:\(port)/behaviour/\(name)", body: behaviour, timeout: 5).status == 204)
    }

    /// Every delivery logged so far, in arrival order; `name` narrows to one receiver name.
    func records(_ name: String? = nil) -> [Record] {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> Record? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            let record = Record(
                name: o["name"] as? String ?? "", id: o["id"] as? String ?? "", verified: o["verified"] as? Bool ?? false,
                error: o["error"] as? String, status: o["status"] as? Int ?? 0, attempt: o["attempt"] as? Int ?? 0,
                receivedAt: o["received_at"] as? Double ?? 0, bodyText: o["body"] as? String ?? "")
            return name == nil || record.name == name ? record : nil
        }
    }

    /// The deliveries a receiver accepted (2xx), first acceptance of each webhook-id, in arrival order.
    func accepted(_ name: String) -> [Record] {
        var seen = Set<String>()
        return records(name).filter { (200..<300).contains($0.status) && seen.insert($0.id).inserted }
    }

    /// Waits (bounded) until `condition` holds for the log.
    @discardableResult
    func wait(within timeout: Duration, _ condition: (WebhookReceiver) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(self)
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

private extension URL {
    func creatingEmpty() -> URL {
        FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
