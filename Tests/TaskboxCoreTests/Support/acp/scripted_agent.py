"""An ACP agent for taskbox's tests, built on the PyPI package agent-client-protocol.

What it does depends on the prompt text:
  write NAME   a tool call (kind edit), a permission request, then fs/write_text_file of NAME
  read NAME    fs/read_text_file of NAME, answered with its content
  escape PATH  fs/write_text_file of PATH (outside the working directory), answered with the error
  run CMD      a tool call of kind execute and a permission request
  SLOW         a chunk, then waits (at most 60 s) for session/cancel
  crash        a chunk, then the process exits with status 3 in the middle of the turn
  garbage      a line that is not JSON, then a reply
  plan         a plan with two entries, then a reply
  anything     "Reply to: TEXT" in three chunks
--load advertises loadSession; sessions are kept in .acp-sessions/ of the working directory and
replayed (user and agent chunks) on session/load.
"""
import asyncio
import json
import os
import sys
import uuid

from acp import (
    Agent, InitializeResponse, LoadSessionResponse, NewSessionResponse, PromptResponse, RequestError,
    run_agent, start_tool_call, text_block, update_agent_message_text, update_plan, plan_entry,
    update_tool_call, update_user_message_text,
)
from acp.schema import AgentCapabilities, PermissionOption, ToolCallLocation, ToolCallUpdate

LOAD = "--load" in sys.argv


class ScriptedAgent(Agent):
    def __init__(self):
        self.conn = None
        self.cancelled = {}
        self.cwd = os.getcwd()

    def on_connect(self, conn):
        self.conn = conn

    def store(self, session_id):
        return os.path.join(self.cwd, ".acp-sessions", session_id + ".json")

    def history(self, session_id):
        try:
            with open(self.store(session_id)) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def remember(self, session_id, role, text):
        items = self.history(session_id) or []
        items.append([role, text])
        os.makedirs(os.path.dirname(self.store(session_id)), exist_ok=True)
        with open(self.store(session_id), "w") as f:
            json.dump(items, f)

    async def initialize(self, protocol_version, client_capabilities=None, client_info=None, **kwargs):
        return InitializeResponse(protocol_version=1, agent_capabilities=AgentCapabilities(load_session=LOAD))

    async def new_session(self, cwd, mcp_servers=None, **kwargs):
        session_id = "sess-" + uuid.uuid4().hex[:8]
        self.cwd = cwd
        self.remember(session_id, "created", "")
        return NewSessionResponse(session_id=session_id)

    async def load_session(self, cwd, session_id, mcp_servers=None, **kwargs):
        self.cwd = cwd
        items = self.history(session_id)
        if items is None:
            raise RequestError.resource_not_found(session_id)
        for role, text in items:
            if role == "user":
                await self.conn.session_update(session_id, update_user_message_text(text))
            elif role == "agent":
                await self.conn.session_update(session_id, update_agent_message_text(text))
        return LoadSessionResponse()

    async def say(self, session_id, text):
        await self.conn.session_update(session_id, update_agent_message_text(text))
        self.remember(session_id, "agent", text)

    async def permission(self, session_id, call_id, title, kind):
        options = [
            PermissionOption(option_id="yes", name="Allow", kind="allow_once"),
            PermissionOption(option_id="always", name="Always allow", kind="allow_always"),
            PermissionOption(option_id="no", name="Reject", kind="reject_once"),
        ]
        answer = await self.conn.request_permission(
            session_id=session_id, tool_call=ToolCallUpdate(tool_call_id=call_id, title=title, kind=kind), options=options)
        outcome = answer.outcome
        return getattr(outcome, "option_id", None)

    async def prompt(self, prompt, session_id, **kwargs):
        text = "".join(block.text for block in prompt if getattr(block, "text", None))
        self.remember(session_id, "user", text)
        words = text.split()
        if text.startswith("write "):
            name = words[1]
            path = os.path.join(self.cwd, name)
            await self.conn.session_update(session_id, start_tool_call(
                "call-1", "Write " + name, kind="edit", status="pending", locations=[ToolCallLocation(path=path)]))
            choice = await self.permission(session_id, "call-1", "Write " + name, "edit")
            if choice == "yes":
                await self.conn.write_text_file(session_id=session_id, path=path, content="written over ACP\n")
                await self.conn.session_update(session_id, update_tool_call("call-1", status="completed"))
                await self.say(session_id, "Wrote " + name + ".")
            else:
                await self.conn.session_update(session_id, update_tool_call("call-1", status="failed"))
                await self.say(session_id, "Not allowed to write " + name + " (" + str(choice) + ").")
        elif text.startswith("read "):
            answer = await self.conn.read_text_file(session_id=session_id, path=os.path.join(self.cwd, words[1]))
            await self.say(session_id, "Read: " + answer.content)
        elif text.startswith("escape "):
            try:
                await self.conn.write_text_file(session_id=session_id, path=words[1], content="should not be here\n")
                await self.say(session_id, "Escaped to " + words[1])
            except RequestError as error:
                await self.say(session_id, "Refused: " + str(error))
        elif text.startswith("run "):
            command = " ".join(words[1:])
            await self.conn.session_update(session_id, start_tool_call(
                "call-2", "Run", kind="execute", status="pending", raw_input={"command": command}))
            choice = await self.permission(session_id, "call-2", "Run", "execute")
            await self.say(session_id, "Run " + ("allowed" if choice == "yes" else "refused") + ".")
        elif "SLOW" in text:
            await self.say(session_id, "Thinking slowly")
            event = self.cancelled.setdefault(session_id, asyncio.Event())
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), 60)
            except asyncio.TimeoutError:
                pass
            return PromptResponse(stop_reason="cancelled")
        elif text == "crash":
            await self.say(session_id, "Crashing")
            await asyncio.sleep(0.2)
            os._exit(3)
        elif text == "garbage":
            sys.stdout.write("this is not JSON\n")
            sys.stdout.flush()
            await self.say(session_id, "Sent garbage.")
        elif text == "plan":
            await self.conn.session_update(session_id, update_plan([plan_entry("Look around"), plan_entry("Fix it")]))
            await self.say(session_id, "Planned.")
        else:
            for chunk in ["Reply ", "to: ", text]:
                await self.conn.session_update(session_id, update_agent_message_text(chunk))
            self.remember(session_id, "agent", "Reply to: " + text)
        return PromptResponse(stop_reason="end_turn")

    async def cancel(self, session_id, **kwargs):
        self.cancelled.setdefault(session_id, asyncio.Event()).set()


if __name__ == "__main__":
    asyncio.run(run_agent(ScriptedAgent()))
