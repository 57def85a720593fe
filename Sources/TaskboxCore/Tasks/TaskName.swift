/// Why an LLM-suggested task name was not used (tasks-api.md §3.3). The caller logs it
/// and falls back to `TaskName.fallback()`.
public enum TaskNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case noAPIKey
    case noNameGenerated
    case invalidName(name: String, reason: String)

    public var description: String {
        switch self {
        case .noAPIKey: "no api key provided"
        case .noNameGenerated: "no task name generated"
        case let .invalidName(name, reason): "generated name \(name) not valid: \(reason)"
        }
    }
}

/// Names for tasks created without one: Coder's `taskname` package.
public enum TaskName {
    /// `task-<adjective>-<surname>-<hex4>`, at most 32 bytes and always NameValid
    /// (tasks-api.md §3.2).
    public static func fallback() -> String {
        var generator = SystemRandomNumberGenerator()
        return fallback(using: &generator)
    }

    public static func fallback(using generator: inout some RandomNumberGenerator) -> String {
        var adjective: String
        var surname: String
        repeat {
            adjective = TaskNameWords.adjectives.randomElement(using: &generator)!
            surname = TaskNameWords.surnames.randomElement(using: &generator)!
        } while adjective == "boring" && surname == "wozniak" // Moby's one forbidden pair.
        return "task-\(middle(adjective: adjective, surname: surname))-\(randomSuffix(using: &generator))"
    }

    /// `adjective-surname` cut to 22 bytes, so that with `task-` and `-xxxx` the name
    /// stays within NameValid's 32; a hyphen left dangling by the cut is dropped.
    static func middle(adjective: String, surname: String) -> String {
        var middle = String(decoding: "\(adjective)-\(surname)".utf8.prefix(22), as: UTF8.self)
        if middle.hasSuffix("-") { middle.removeLast() }
        return middle
    }

    /// Four lower-case hex digits, `0000`–`ffff`.
    public static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return randomSuffix(using: &generator)
    }

    static func randomSuffix(using generator: inout some RandomNumberGenerator) -> String {
        let hex = String(UInt16.random(in: .min ... .max, using: &generator), radix: 16)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// What Coder does with the model's reply (tasks-api.md §3.3 steps 1–4). `text` is the
    /// first text block of the reply, nil when the model produced none. No trimming or
    /// lower-casing happens: an unusable reply simply fails validation.
    public static func fromLLMOutput(_ text: String?, suffix: String) -> Result<String, TaskNameError> {
        guard let text, text != "task-unnamed" else { return .failure(.noNameGenerated) }
        // The cut is in bytes, as Go slices strings; a split character fails NameValid anyway.
        let name = String(decoding: text.utf8.prefix(27), as: UTF8.self) + "-" + suffix
        if let reason = NameValidator.validate(name) {
            return .failure(.invalidName(name: name, reason: reason))
        }
        return .success(name)
    }
}
