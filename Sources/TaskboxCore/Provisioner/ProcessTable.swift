import Foundation

/// The processes of this machine as /proc shows them, to find every process an app started:
/// its process group, and those that left it (`setsid`, double fork) by the variables they
/// inherited. A process that clears its environment and leaves the group escapes this; the
/// sandbox's PID namespace (`--isolation sandbox`) does not let it.
enum ProcessTable {
    struct Entry {
        var pid: pid_t
        var group: pid_t
    }

    /// Live (not zombie) processes other than this one.
    static func entries() -> [Entry] {
        let me = getpid()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> Entry? in
            guard let pid = pid_t(name), pid != me,
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)": state ppid pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", let group = pid_t(fields[2]) else { return nil }
            return Entry(pid: pid, group: group)
        }
    }

    static func environment(of pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Processes in `group` or whose environment satisfies `marked`.
    static func find(group: pid_t? = nil, marked: ([String]) -> Bool) -> [pid_t] {
        entries().filter { entry in
            entry.group == group || marked(environment(of: entry.pid))
        }.map(\.pid)
    }
}
