/// Coder's exact texts, copied from tasks-api.md, so that a typo in the production
/// constants fails the tests instead of passing them.
enum CoderText {
    static let resourceNotFound = "Resource not found or you do not have access to this resource"
    static let signedOut = "You are signed out or your session has expired. Please sign in again to continue."
    static let forbidden = "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials."
    static let createForbidden = "You are unable to create a workspace in this organization. It is possible to have access to the template, but not be able to create a workspace. Please contact an administrator about your permissions if you feel this is an error."
}
