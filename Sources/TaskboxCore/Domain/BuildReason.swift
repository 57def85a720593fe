/// Why a build was created (Coder's `build_reason`); tasks add their pause and resume
/// reasons (tasks-v2.md §0.2). taskbox has no autostop, so `task_auto_pause` is never made.
public enum BuildReason: String, Sendable {
    case initiator
    case taskManualPause = "task_manual_pause"
    case taskResume = "task_resume"
    case taskAutoPause = "task_auto_pause"
}
