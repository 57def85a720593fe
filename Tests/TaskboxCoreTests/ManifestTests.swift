import Foundation
import Testing
@testable import TaskboxCore

@Suite struct ManifestTests {
    static let valid = """
        {"name":"claude-code","display_name":"Claude Code","icon":"/icon/claude.svg",
         "parameters":[{"name":"AI Prompt","type":"string","default":""},
                       {"name":"region","type":"string","default":"eu","options":["eu","us"]}],
         "presets":[{"name":"us","parameters":{"region":"us"}}],
         "agents":[{"name":"main","apps":[{"slug":"agentapi","url":"http://127.0.0.1:{port}",
            "command":["agentapi","server","--port","{port}","--","claude","{param:region}"],
            "healthcheck":{"url":"http://127.0.0.1:{port}/status","interval_s":1,"threshold":3}}]}],
         "ai_task":{"app":"agentapi"}}
        """

    @Test func theContractExampleIsValid() throws {
        let manifest = try Manifest.parse(Data(Self.valid.utf8))
        #expect(manifest.hasAITask)
        #expect(manifest.allApps.map(\.slug) == ["agentapi"])
    }

    @Test(arguments: [
        (#"{"name":"x","ai_task":{"app":"nope"}}"#, "ai_task.app"),
        (#"{"display_name":"x"}"#, "name"),
        (#"{"name":"bad name"}"#, "name"),
        (#"{"name":"x","parameters":[{"name":"p","type":"float"}]}"#, "parameters[0].type"),
        (#"{"name":"x","parameters":[{"name":"p","type":"string","default":"c","options":["a","b"]}]}"#, "parameters[0].default"),
        (#"{"name":"x","parameters":[{"name":"p","type":"number","default":"abc"}]}"#, "parameters[0].default"),
        (#"{"name":"x","presets":[{"name":"p","parameters":{"ghost":"1"}}]}"#, "presets[0].parameters.ghost"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","command":["run","{param:ghost}"]}]}]}"#, "agents[0].apps[0].command[1]"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"Bad_Slug"}]}]}"#, "agents[0].apps[0].slug"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","healthcheck":{"url":"u","interval_s":0,"threshold":1}}]}]}"#, "agents[0].apps[0].healthcheck.interval_s"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","command":[]}]}]}"#, "agents[0].apps[0].command"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s"},{"slug":"s"}]}]}"#, "agents[0].apps[1].slug"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":5}]}]}"#, "agents[0].apps[0].slug"),
        (#"{"name":"x","agents":[{"apps":[]}]}"#, "agents[0].name"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"1BAD":"v"}}]}]}"#, "agents[0].apps[0].env.1BAD"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"A-B":"v"}}]}]}"#, "agents[0].apps[0].env.A-B"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"CODER_AGENT_TOKEN":"v"}}]}]}"#, "agents[0].apps[0].env.CODER_AGENT_TOKEN"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"TASKBOX_APP_PORT":"1"}}]}]}"#, "agents[0].apps[0].env.TASKBOX_APP_PORT"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"K":"{param:ghost}"}}]}]}"#, "agents[0].apps[0].env.K"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"K":"{env:no-such name}"}}]}]}"#, "agents[0].apps[0].env.K"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":{"K":1}}]}]}"#, "agents[0].apps[0].env.K"),
        (#"{"name":"x","agents":[{"name":"a","apps":[{"slug":"s","env":["K"]}]}]}"#, "agents[0].apps[0].env"),
        ("not json", "(file)"),
    ])
    func invalidManifestNamesTheField(json: String, field: String) {
        #expect(throws: ManifestError.self) { try Manifest.parse(Data(json.utf8)) }
        do {
            _ = try Manifest.parse(Data(json.utf8))
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func substitutionIsPerArgumentAndLeavesValuesUninterpreted() {
        let out = Placeholders.substitute("--x={param:p}:{port}", port: 4242, parameters: ["p": "a b; rm -rf /"])
        #expect(out == "--x=a b; rm -rf /:4242")
        // A value that looks like a placeholder stays as it is.
        let nested = Placeholders.substitute("{param:p}-{param:q}-{other}", port: 1, parameters: ["p": "{param:q}{port}", "q": "Q"])
        #expect(nested == "{param:q}{port}-Q-{other}")
    }

    @Test func envPlaceholdersAreReadOnlyInEnvValuesAndOnlyOnce() {
        let serve = ["SECRET": "s3cret", "EMPTY": ""]
        #expect(Placeholders.substitute("k={env:SECRET};{env:UNSET}.", port: 1, parameters: [:], environment: serve) == "k=s3cret;.")
        // A parameter value naming a variable of serve is not expanded (one pass).
        #expect(Placeholders.substitute("{param:p}", port: 1, parameters: ["p": "{env:SECRET}"], environment: serve) == "{env:SECRET}")
        // Outside env values (no environment given) the placeholder stays as written.
        #expect(Placeholders.substitute("--key={env:SECRET}", port: 1, parameters: [:]) == "--key={env:SECRET}")
    }
}
