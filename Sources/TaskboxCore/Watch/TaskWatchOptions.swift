/// Limits of the watch streams (issue #17).
public struct TaskWatchOptions: Sendable {
    /// Events a watcher may fall behind before it is disconnected (it resumes with `Last-Event-ID`).
    public var watcherBuffer: Int
    /// Events a hub keeps for resuming; a resume from further back gets the current state again.
    public var replay: Int
    /// A comment line this often keeps idle connections (and proxies) open.
    public var keepAlive: Duration
    /// A hub without watchers lives this long, so a reconnect resumes exactly.
    public var linger: Duration

    public init(watcherBuffer: Int = 256, replay: Int = 1024, keepAlive: Duration = .seconds(15), linger: Duration = .seconds(30)) {
        self.watcherBuffer = watcherBuffer
        self.replay = replay
        self.keepAlive = keepAlive
        self.linger = linger
    }
}

/// An event id of a task's watch stream: `<epoch>.<seq>`. `seq` counts the hub's events; the
/// epoch names the hub instance, so an id from before a restart is never taken for a newer one.
struct WatchEventID: Equatable {
    var epoch: String
    var seq: Int

    var text: String { "\(epoch).\(seq)" }

    init(epoch: String, seq: Int) {
        self.epoch = epoch
        self.seq = seq
    }

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let seq = Int(parts[1]), seq >= 0 else { return nil }
        epoch = String(parts[0])
        self.seq = seq
    }
}

/// One SSE frame: the `id:` line (if any), then the shared `event:`/`data:` text.
struct WatchFrame: Sendable {
    var id: String?
    var body: String

    static let keepAlive = WatchFrame(id: nil, body: ": keep-alive\n\n")

    static func body(_ event: String, _ data: some JSONWritable) -> String {
        var json = JSONWriter()
        data.write(to: &json)
        return "event: \(event)\ndata: \(String(decoding: json.bytes, as: UTF8.self))\n\n"
    }

    init(id: String?, body: String) {
        self.id = id
        self.body = body
    }

    init(id: String, event: String, _ data: some JSONWritable) {
        self.init(id: id, body: Self.body(event, data))
    }
}
