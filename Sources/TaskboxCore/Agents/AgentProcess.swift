import Foundation
import Synchronization

/// An agent's child process spoken to over stdio: lines written to its stdin, its stdout
/// read line by line, its stderr copied to the adapter's own stderr (which the provisioner
/// logs) with the last part kept for error messages. Its exit is observed, not polled.
final class AgentProcess: @unchecked Sendable {
    /// stdout, one line at a time (without the newline); ends when the process closes it.
    let lines: AsyncStream<String>
    /// How the process ended, once it has (one value).
    let exit: AsyncStream<String>
    private let process: Process
    private let stdin: FileHandle
    private let stderrTail = StderrTail()
    private let writeLock = Mutex(())
    private let stopRequested = Mutex(false)

    static let stderrTailBytes = 2000

    /// Starts `command` in `directory`; the program is found as the provisioner finds app commands.
    init(command: [String], directory: URL, environment: [String: String]) throws {
        guard let program = command.first,
              let url = AppProcess.resolve(program, in: directory, path: environment["PATH"])
        else { throw AgentProcessError(description: "executable \"\(command.first ?? "")\" not found") }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process = Process()
        process.executableURL = url
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        stdin = input.fileHandleForWriting
        let (lines, linesInput) = AsyncStream.makeStream(of: String.self)
        let (exit, exitInput) = AsyncStream.makeStream(of: String.self)
        self.lines = lines
        self.exit = exit
        let tail = stderrTail
        process.terminationHandler = { process in
            let reason = process.terminationReason == .uncaughtSignal
                ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            // Let the readers drain what the process wrote before it went.
            Thread.sleep(forTimeInterval: 0.05)
            let last = tail.text.withLock { $0 }.trimmingCharacters(in: .whitespacesAndNewlines)
            exitInput.yield(last.isEmpty ? reason : "\(reason): \(last.split(separator: "\n").suffix(3).joined(separator: " "))")
            exitInput.finish()
        }
        do {
            try process.run()
        } catch {
            throw AgentProcessError(description: "cannot start \(url.path): \(error.localizedDescription)")
        }
        try? input.fileHandleForReading.close()
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        Self.read(output.fileHandleForReading) { chunk, buffer in
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                linesInput.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        } onEnd: { buffer in
            if !buffer.isEmpty { linesInput.yield(String(decoding: buffer, as: UTF8.self)) }
            linesInput.finish()
        }
        Self.read(errors.fileHandleForReading) { chunk, _ in
            FileHandle.standardError.write(chunk)
            tail.text.withLock { text in
                text += String(decoding: chunk, as: UTF8.self)
                if text.utf8.count > Self.stderrTailBytes { text = String(text.suffix(Self.stderrTailBytes)) }
            }
        } onEnd: { _ in }
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Writes one line to stdin (a newline is added).
    func write(line: String) throws {
        try writeLock.withLock { _ in
            do {
                try stdin.write(contentsOf: Data((line + "\n").utf8))
            } catch {
                throw AgentProcessError(description: "cannot write to the agent: \(error.localizedDescription)")
            }
        }
    }

    func closeInput() {
        try? stdin.close()
    }

    /// Whether the process ends because `stop` asked it to (its exit is then no news).
    var wasStopped: Bool { stopRequested.withLock { $0 } }

    /// SIGTERM, then SIGKILL after `grace` (agents.md §4); returns once the process has exited.
    func stop(grace: Duration = .seconds(5)) async {
        stopRequested.withLock { $0 = true }
        // TODO: spawn agents with ChildProcess (clean signal mask, exit awaited) as apps are;
        // until then the exit is polled.
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
        closeInput()
    }

    /// Blocking reads on a thread of their own, so a quiet agent holds no task.
    private static func read(
        _ handle: FileHandle, onChunk: @escaping @Sendable (Data, inout Data) -> Void, onEnd: @escaping @Sendable (Data) -> Void
    ) {
        let thread = Thread {
            var buffer = Data()
            let fd = handle.fileDescriptor
            var bytes = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                onChunk(Data(bytes[0..<count]), &buffer)
            }
            onEnd(buffer)
            try? handle.close()
        }
        thread.start()
    }
}

struct AgentProcessError: Error, CustomStringConvertible {
    var description: String
}

/// The end of what an agent wrote to stderr, for the message when it exits.
private final class StderrTail: Sendable {
    let text = Mutex("")
}
