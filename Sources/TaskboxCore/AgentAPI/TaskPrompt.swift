import Foundation

/// The task prompt as a workspace gives it to an agent (README "App environment"): the file
/// named by `TASKBOX_TASK_PROMPT_FILE` holds it whole; `TASKBOX_TASK_PROMPT` (v2 tasks) and
/// `TASKBOX_PARAM_AI_PROMPT` hold it too unless it is too long for one environment variable
/// (128 KiB on Linux).
public enum TaskPrompt {
    public static func read(from environment: [String: String]) -> String? {
        if let path = environment["TASKBOX_TASK_PROMPT_FILE"], !path.isEmpty,
           let data = FileManager.default.contents(atPath: path) {
            let prompt = String(decoding: data, as: UTF8.self)
            return prompt.isEmpty ? nil : prompt
        }
        for name in ["TASKBOX_TASK_PROMPT", "TASKBOX_PARAM_AI_PROMPT"] {
            if let prompt = environment[name], !prompt.isEmpty { return prompt }
        }
        return nil
    }
}
