import Foundation
import TaskboxCore

/// What the client needs to know of the terminal, and the text helpers that depend on it.
enum Terminal {
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
    static var stdinIsTerminal: Bool { isTerminal(STDIN_FILENO) }
    static var stdoutIsTerminal: Bool { isTerminal(STDOUT_FILENO) }
    static var stderrIsTerminal: Bool { isTerminal(STDERR_FILENO) }

    /// `COLUMNS` when set (so scripts and tests choose), else the terminal's width, else 80.
    static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        if stdoutIsTerminal {
            var size = winsize()
            if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        }
        return 80
    }

    /// One line of at most `width` characters: newlines become spaces, a cut ends in `…`.
    static func truncated(_ text: String, to width: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard line.count > width else { return line }
        guard width > 1 else { return String(line.prefix(max(width, 0))) }
        return line.prefix(width - 1) + "…"
    }

    /// How long ago, the way `kubectl` and Coder's CLI show it: `42s`, `5m`, `3h`, `2d`.
    static func age(of timestamp: String, now: Date = Date()) -> String {
        guard let date = Timestamp.parse(timestamp) else { return "-" }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }

    /// Writes to stderr without a newline (prompts, progress).
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
