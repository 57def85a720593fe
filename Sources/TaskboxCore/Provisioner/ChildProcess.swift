import Foundation
import Synchronization

/// A child process started with `posix_spawn`, owned from start to exit: it leads its own
/// process group, starts with an empty signal mask and default signal dispositions (whatever
/// `serve` blocks or ignores), reads /dev/null, writes to one file, inherits no other descriptor;
/// its exit is observed by a thread blocked in `waitpid` on its pid (no polling).
final class ChildProcess: Sendable {
    enum State: Sendable {
        case running
        case exited(status: Int32)
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private struct Watch {
        var state: State = .running
        var waiters: [Int: CheckedContinuation<Int32?, Never>] = [:]
        var nextWaiter = 0
        var released: Set<Int> = []
    }
    private let watch = Mutex(Watch())

    private init(pid: pid_t) { self.pid = pid }

    /// The exit status once the process has exited (128 + signal number when a signal ended it).
    var exitStatus: Int32? {
        watch.withLock {
            switch $0.state {
            case .running: nil
            case .exited(let status): status
            }
        }
    }

    static func spawn(
        executable: String, arguments: [String], directory: String, environment: [String: String], output: String,
        onExit: @escaping @Sendable (Int32) -> Void
    ) throws(SpawnError) -> ChildProcess {
        let logFD = open(output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard logFD >= 0 else { throw SpawnError(description: "cannot open \(output): \(String(cString: strerror(errno)))") }
        defer { close(logFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logFD, 1)
        posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        guard let addChdir = GlibcSpawn.addChdir, let addCloseFrom = GlibcSpawn.addCloseFrom else {
            throw SpawnError(description: "cannot start app: this C library lacks posix_spawn_file_actions_addchdir_np/addclosefrom_np (glibc ≥ 2.34 needed)")
        }
        _ = addChdir(&actions, directory)
        _ = addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        // Signals 1…64, set bit by bit: sigfillset leaves out glibc's internal signals 32 and
        // 33, which the child would then inherit as ignored.
        var all = sigset_t()
        sigemptyset(&all)
        withUnsafeMutableBytes(of: &all) { $0.storeBytes(of: UInt64.max, as: UInt64.self) }
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start app: \(executable): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(pid: pid)
        let childPID = pid
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(childPID, &status, 0) < 0 && errno == EINTR {}
            // WIFEXITED / WTERMSIG by hand: the C macros are not imported.
            let signal = status & 0x7f
            let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            child.finish(code)
            onExit(code)
        }
        waiter.name = "taskbox-wait-\(pid)"
        waiter.start()
        return child
    }

    private func finish(_ status: Int32) {
        let waiters = watch.withLock { value in
            value.state = .exited(status: status)
            defer { value.waiters = [:] }
            return value.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// Waits for the exit; nil when `timeout` passes first.
    func waitForExit(timeout: Duration) async -> Int32? {
        if let status = exitStatus { return status }
        let id = watch.withLock { value in
            defer { value.nextWaiter += 1 }
            return value.nextWaiter
        }
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exit(waiter: id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            // The other child task ends now: the sleep is canceled, the waiter let go.
            group.cancelAll()
            self.release(waiter: id)
            return first
        }
    }

    private func exit(waiter id: Int) async -> Int32? {
        await withCheckedContinuation { continuation in
            let status: Int32? = watch.withLock { value in
                switch value.state {
                case .exited(let status):
                    return status
                case .running where value.released.remove(id) != nil:
                    return -1
                case .running:
                    value.waiters[id] = continuation
                    return nil
                }
            }
            if let status { continuation.resume(returning: status < 0 ? nil : status) }
        }
    }

    private func release(waiter id: Int) {
        let waiter = watch.withLock { value in
            guard let waiter = value.waiters.removeValue(forKey: id) else {
                if case .running = value.state { value.released.insert(id) }
                return nil as CheckedContinuation<Int32?, Never>?
            }
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Signals the whole process group the child leads.
    func signalGroup(_ signal: Int32) {
        if exitStatus == nil || killpg(pid, 0) == 0 { killpg(pid, signal) }
    }
}

/// glibc's spawn file actions that Swift's Glibc module does not import (GNU extensions,
/// glibc 2.29 and 2.34), looked up once.
private enum GlibcSpawn {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
