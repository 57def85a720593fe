import Foundation
import Logging

/// Name and display name of a v2 task created without them (tasks-v2.md §3.2.3): the
/// optional model call (the experimental namer, for the name only), else both from the
/// prompt, else random words.
public struct TaskNames: Equatable, Sendable {
    public var name: String
    public var displayName: String
}

public enum TaskNaming {
    public static func generate(prompt: String, model: TaskNameGenerator?, logger: Logger) async -> TaskNames {
        var names = fromPrompt(prompt) ?? random()
        if let model {
            do {
                names.name = try await model.generate(prompt: prompt)
            } catch {
                logger.error("unable to generate task name", metadata: ["error": "\(error)"])
            }
        }
        return names
    }

    /// Strategy 2. Nil when the prompt leaves no name characters.
    public static func fromPrompt(_ raw: String, suffix: String = TaskName.randomSuffix()) -> TaskNames? {
        let prompt = raw.replacingOccurrences(of: "[\n\r\t]+", with: " ", options: .regularExpression)
        var head = prompt
        if prompt.utf8.count > 27 {
            head = String(prompt.prefix(27))
            if let space = head.lastIndex(where: \.isWhitespace) { head = String(head[..<space]) }
        }
        var part = head.lowercased().replacingOccurrences(of: "\\s+", with: "-", options: .regularExpression)
        part = part.replacingOccurrences(of: "[^a-z0-9-]", with: "", options: .regularExpression)
        part = part.replacingOccurrences(of: "-+", with: "-", options: .regularExpression)
        part = part.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        guard !part.isEmpty else { return nil }
        var display = prompt
        if prompt.count > 64 {
            display = String(prompt.prefix(63))
            if let space = display.lastIndex(where: \.isWhitespace) { display = String(display[..<space]) }
            display += "…"
        }
        display = display.trimmingCharacters(in: .whitespaces)
        if display.isEmpty { display = part.replacingOccurrences(of: "-", with: " ") }
        return TaskNames(name: "\(part)-\(suffix)", displayName: capitalizedFirst(display))
    }

    /// Strategy 3: `<adjective>-<surname>-xxxx` / `Adjective surname`.
    public static func random() -> TaskNames {
        let adjective = TaskNameWords.adjectives.randomElement()!
        let surname = TaskNameWords.surnames.randomElement()!
        var part = String(decoding: "\(adjective)-\(surname)".utf8.prefix(27), as: UTF8.self)
        if part.hasSuffix("-") { part.removeLast() }
        return TaskNames(name: "\(part)-\(TaskName.randomSuffix())", displayName: capitalizedFirst("\(adjective) \(surname)"))
    }

    static func capitalizedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
