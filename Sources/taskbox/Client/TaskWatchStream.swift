import AsyncHTTPClient
import Foundation
import NIOCore
import TaskboxCore

/// Reading a task's watch stream (issue #17): `GET …/watch` as Server-Sent Events. A dropped
/// connection is opened again with the last event id, so nothing is missed or repeated.
extension TaskboxClient {
    /// What the handler says after an event.
    enum WatchStep { case more, stop }

    /// Calls `handle` for every event until it says `.stop`, the task is deleted (`deleted`
    /// event, or a 404 once it was seen) or the task is cancelled. Nil when the server has no
    /// watch route (an older server: the caller polls instead).
    func watchTask(id: String, _ handle: (ServerSentEvent) async throws -> WatchStep) async throws -> Void? {
        let path = try await tasksPath(Self.segment(id)) + "/watch"
        var lastEventID: String?
        var failures = 0
        while true {
            var request = HTTPClientRequest(url: config.url + path)
            request.headers.add(name: "Coder-Session-Token", value: config.token)
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.headers.add(name: "User-Agent", value: "taskbox-cli/\(TaskboxVersion.current)")
            if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
            do {
                let response = try await Self.http.execute(request, timeout: .hours(24 * 365))
                let status = Int(response.status.code)
                guard status == 200 else {
                    let body = Data(buffer: try await response.body.collect(upTo: 1 << 20))
                    let error = Self.serverError(status: status, body: body, url: config.url + path)
                    if error.isRouteNotFound && lastEventID == nil { return nil }
                    // Gone since the last connection: deleted.
                    if status == 404 && lastEventID != nil { return () }
                    throw error
                }
                var parser = ServerSentEventParser(maxLineBytes: 64 << 20)
                for try await chunk in response.body {
                    for event in try parser.feed(chunk.readableBytesView) {
                        failures = 0
                        lastEventID = event.id ?? lastEventID
                        if event.event == "deleted" { return () }
                        if try await handle(event) == .stop { return () }
                    }
                }
            } catch let error as ServerResponseError {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failures += 1
                // The server went away: try again for a while, then say so.
                if failures > 30 { throw UnreachableServerError(url: config.url, reason: Self.reason(error)) }
            }
            // The stream ended (the server cut a slow reader off, or restarted): resume.
            try await Task.sleep(for: .seconds(1))
        }
    }
}

extension ServerSentEvent {
    /// The event's data decoded as `T`, with its JSON for `-o json`.
    func decoded<T: Decodable>(as type: T.Type) throws -> Fetched<T> {
        let data = Data(data.utf8)
        let decoder = JSONDecoder()
        return Fetched(value: try decoder.decode(T.self, from: data), json: try decoder.decode(JSONValue.self, from: data))
    }
}
