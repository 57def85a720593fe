import ArgumentParser
import Foundation
import TaskboxCore

/// The server answered with an error: Coder's envelope (tasks-api.md §1.0.2) and its status.
struct ServerResponseError: Error, CustomStringConvertible {
    var status: Int
    var envelope: ErrorEnvelope

    /// The server's message, then its detail and validations on a second line.
    var lines: [String] {
        var second: [String] = []
        if let detail = envelope.detail, !detail.isEmpty { second.append(detail) }
        for v in envelope.validations ?? [] { second.append("\(v.field): \(v.detail)") }
        return [envelope.message] + (second.isEmpty ? [] : [second.joined(separator: "; ")])
    }

    var description: String { lines.joined(separator: ": ") }

    /// The router's answer for a path it does not have (an older server).
    var isRouteNotFound: Bool { status == 404 && envelope.message == "Route not found." }
}

/// The request never got an answer: the server is down, the URL is wrong, or it timed out.
struct UnreachableServerError: Error, CustomStringConvertible {
    var url: String
    var reason: String
    var description: String { "cannot reach taskbox at \(url): \(reason)" }
}

/// Runs a client command body: errors go to stderr — a server error as its message and, on
/// a second line, its detail; anything else on one line — with a non-zero exit.
func reportingClientErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ServerResponseError {
        let lines = error.lines.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
        var text = "error: \(lines[0])\n"
        if lines.count > 1 { text += "  \(lines[1])\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode.failure
    } catch {
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
        throw ExitCode.failure
    }
}
