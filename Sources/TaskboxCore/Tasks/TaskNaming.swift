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
        // Regular expressions cost a tenth of a create's CPU (BENCHMARKS.md, session 6); for
        // the usual prompt, printable ASCII with tabs and line breaks, plain loops do the same.
        let plain = Self.isPlainASCII(raw)
        let prompt = plain ? Self.joiningLines(raw) : raw.replacingOccurrences(of: "[\n\r\t]+", with: " ", options: .regularExpression)
        var head = prompt
        if prompt.utf8.count > 27 {
            head = String(prompt.prefix(27))
            if let space = head.lastIndex(where: \.isWhitespace) { head = String(head[..<space]) }
        }
        let part = plain ? Self.namePart(head) : Self.namePartByRegex(head)
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

    /// The name part of a head: lowercased, whitespace runs as one `-`, only `[a-z0-9-]`
    /// kept, `-` runs collapsed and trimmed.
    static func namePartByRegex(_ head: String) -> String {
        var part = head.lowercased().replacingOccurrences(of: "\\s+", with: "-", options: .regularExpression)
        part = part.replacingOccurrences(of: "[^a-z0-9-]", with: "", options: .regularExpression)
        part = part.replacingOccurrences(of: "-+", with: "-", options: .regularExpression)
        return part.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// `namePartByRegex` for a plain ASCII head: every whitespace is one of space, tab, CR,
    /// LF, so both definitions of whitespace agree.
    static func namePart(_ head: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.utf8.count)
        for byte in head.utf8 {
            let kept: UInt8
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "-"): kept = UInt8(ascii: "-")
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): kept = byte
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): kept = byte + 32
            default: continue
            }
            if kept == UInt8(ascii: "-"), bytes.last == kept || bytes.isEmpty { continue }
            bytes.append(kept)
        }
        if bytes.last == UInt8(ascii: "-") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Printable ASCII, tabs and line breaks only.
    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Runs of tabs and line breaks as one space, in a plain ASCII prompt.
    static func joiningLines(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var inRun = false
        for byte in text.utf8 {
            if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                if !inRun { bytes.append(UInt8(ascii: " ")) }
                inRun = true
            } else {
                bytes.append(byte)
                inRun = false
            }
        }
        return String(decoding: bytes, as: UTF8.self)
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
