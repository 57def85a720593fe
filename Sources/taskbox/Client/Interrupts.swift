import Dispatch
import Foundation
import Synchronization

/// Long-running client commands (`--follow`, `--watch`, `--wait`) end cleanly on Ctrl-C:
/// SIGINT cancels their work instead of killing the process.
enum Interrupts {
    /// Runs `body`; a SIGINT meanwhile cancels it, and the result is `nil`.
    static func cancellingOnSIGINT<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        let work = Task { try await body() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let interrupted = Flag()
        source.setEventHandler {
            interrupted.set()
            work.cancel()
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        do {
            return try await work.value
        } catch {
            if interrupted.isSet { return nil }
            throw error
        }
    }
}

/// Set once from the signal handler, read from the command.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
