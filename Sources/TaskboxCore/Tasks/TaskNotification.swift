/// Task Working / Task Idle (tasks-api.md §8.4).
struct TaskNotification {
    static let workingTemplate = "bd4b7168-d05e-4e19-ad0f-3593b77aa90f"
    static let idleTemplate = "d4a6271c-cced-4ed0-84ad-afd02a9c7799"

    var templateID: String
    var name: String
    var title: String
    var body: String

    /// The prompt cut to 160 bytes on a word boundary, with `…` when cut.
    static func label(_ prompt: String) -> String {
        guard prompt.utf8.count > 160 else { return prompt }
        var cut = ""
        for word in prompt.split(separator: " ", omittingEmptySubsequences: false) {
            let next = cut.isEmpty ? String(word) : cut + " " + word
            if next.utf8.count + "…".utf8.count > 160 { break }
            cut = next
        }
        if cut.isEmpty { cut = String(String.UnicodeScalarView(prompt.unicodeScalars.prefix(150))) }
        return cut + "…"
    }
}
