import Foundation
import Testing
@testable import TaskboxCore

/// What a pause keeps of a conversation (tasks-v2.md §3.11, taskbox): the last 30 messages,
/// then the oldest dropped until the stored payload fits in 65536 bytes.
@Suite struct TaskLogSnapshotTests {
    func messages(_ count: Int, size: Int) -> [AgentMessage] {
        (0..<count).map { i in
            AgentMessage(id: Int64(i), content: String(repeating: "x", count: size), role: i % 2 == 0 ? "user" : "agent",
                         time: "2026-03-01T11:00:00Z")
        }
    }

    @Test func keepsTheLastThirtyMessages() {
        let kept = TaskLogSnapshot.bounded(messages(45, size: 10)).messages
        #expect(kept.count == 30 && kept.first?.id == 15 && kept.last?.id == 44)
    }

    @Test func dropsTheOldestUntilThePayloadFits() {
        // 10 messages of 10,000 characters: about 100 KB, so the oldest go until 64 KiB is left.
        let snapshot = TaskLogSnapshot.bounded(messages(10, size: 10_000))
        #expect(snapshot.messages.map(\.id) == [4, 5, 6, 7, 8, 9])
        let data = #"{"messages":["# + snapshot.messages.map { m in
            #"{"id":\#(m.id),"content":"\#(m.content)","role":"\#(m.role)","time":"2026-03-01T11:00:00Z"}"#
        }.joined(separator: ",") + "]}"
        #expect(data.utf8.count <= 65536)
        #expect(snapshot.stored == #"{"format":"agentapi","data":"# + data + "}")
    }

    @Test func aSingleMessageTooLargeLeavesAnEmptySnapshot() {
        #expect(TaskLogSnapshot.bounded(messages(1, size: 70_000)).messages.isEmpty)
    }
}
