import Foundation
import Hummingbird

extension TasksV2Controller {
    static let versionNotFoundMessage = "Template version not found or you do not have access to this resource"

    /// `POST /api/v2/tasks/{user}` (tasks-v2.md §3.2.1), in check order.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try await TaskRequest.resolve(context, layer)
        let body = try await TaskBody.read(request, context: context, as: "CreateTaskRequest")
        let versionID = try body.uuid("template_version_id")
        let presetID = try body.uuid("template_version_preset_id")
        let input = try body.string("input")
        var name = try body.string("name")
        var displayName = try body.string("display_name").trimmingCharacters(in: .whitespacesAndNewlines)

        // Steps 3–4: a readable version with an AI task; an unknown one is a 400 here.
        guard let versionID, let version = try await caller.store.templateVersion(id: versionID) else { throw APIError(400, Self.versionNotFoundMessage) }
        guard version.hasAITask else { throw APIError(400, "Template does not have a valid \"coder_ai_task\" resource.") }

        // Steps 5–6: the names given.
        if !name.isEmpty, let problem = NameValidator.validate(name) {
            throw APIError(400, "Unable to create a Task with the provided name.", detail: problem)
        }
        if displayName.utf8.count > 64 { throw APIError(400, "Display name must be 64 characters or less.") }

        // Step 7: the owner.
        let owner = try await caller.store.owner(caller.user, organizationID: version.organizationID)

        // Step 10: generated names fill only what was not given.
        if name.isEmpty || displayName.isEmpty {
            let generated = await TaskNaming.generate(prompt: input, model: tasks.nameGenerator, logger: context.logger)
            if name.isEmpty { name = generated.name }
            if displayName.isEmpty { displayName = generated.displayName }
        }

        // Steps 8 and 11. The prompt reaches the app through the task; a template that still
        // declares `AI Prompt` gets it filled too (tasks-v2.md §11.2).
        let taskID = ID.new()
        _ = try await tasks.createWorkspace(
            .init(name: name, templateVersionID: versionID, presetID: presetID, parameters: [(name: "AI Prompt", value: input)]),
            version: version, owner: owner, store: caller.store, request: request, context: context, audited: true,
            task: NewTask(id: taskID, displayName: displayName, prompt: input))
        // Step 12: the answer shows the state the create committed, before the runner moves it on.
        guard let task = try await caller.store.task(id: taskID) else {
            throw APIError(500, "Internal error fetching task.", detail: "task \(taskID) not found after insert")
        }
        let response = try await caller.store.responses([task])[0]
        jobs.enqueued()
        return JSONResponse.make(writing: response, status: .created)
    }
}
