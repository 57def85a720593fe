import Foundation

/// A one-line spinner on stderr while the client waits; silent when stderr is not a
/// terminal, so logs and scripts never see control characters.
struct ProgressLine {
    private let enabled = Terminal.stderrIsTerminal
    private var frame = 0
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    mutating func update(_ text: String) {
        guard enabled else { return }
        Terminal.writeError("\r\u{1B}[K\(Self.frames[frame % Self.frames.count]) \(text)")
        frame += 1
    }

    func clear() {
        guard enabled else { return }
        Terminal.writeError("\r\u{1B}[K")
    }
}
